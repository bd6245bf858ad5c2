/**
 * The agent-facing data plane: decisions, visibility, outcome events, inventory, and the key check.
 */
import {
  agentIdentity,
  decisionRequestOnPath,
  decisionResponse,
  eventsRequest,
  eventsResponse,
  inventoryRequest,
  inventoryResponse,
  observationRequest,
  observationResponse,
  visibleToolsRequest,
  visibleToolsResponse,
} from "../../api/schemas.ts";
import { decide } from "../../decisions/decide.ts";
import { observe } from "../../decisions/observe.ts";
import { recordEvents } from "../../decisions/record-events.ts";
import { visibleTools } from "../../decisions/visible-tools.ts";
import { reportInventory } from "../../inventory/report-inventory.ts";
import { defineRoute } from "../route.ts";

/** The body limit of POST /api/v1/events (docs/api.md): a full batch with long error texts fits. */
export const EVENTS_MAX_BODY_BYTES = 8 * 1024 * 1024;

export const dataPlaneRoutes = [
  defineRoute({
    method: "POST",
    path: "/api/v1/decisions",
    auth: "agent",
    body: decisionRequestOnPath,
    argumentFields: ["arguments"],
    response: decisionResponse,
    tag: "Decisions",
    summary: "Decide a tool call, a resource read or subscription, or a prompt get",
    handler: ({ rt, agent, body, span }) => decide(rt, agent!, body, span),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/tools/visible",
    auth: "agent",
    body: visibleToolsRequest,
    response: visibleToolsResponse,
    tag: "Decisions",
    summary: "Filter tool, resource and prompt lists to what this agent may use",
    handler: ({ rt, agent, body }) => visibleTools(rt, agent!, body),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/events",
    auth: "agent",
    body: eventsRequest,
    // 1,000 events with error texts of 4,000 characters of up to two bytes in UTF-8 fit (about 8.2 MB).
    maxBodyBytes: EVENTS_MAX_BODY_BYTES,
    response: eventsResponse,
    tag: "Events",
    summary: "Record outcome events of forwarded calls",
    handler: ({ rt, agent, body }) => recordEvents(rt, agent!, body.events),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/observations",
    auth: "agent",
    body: observationRequest,
    response: observationResponse,
    tag: "Decisions",
    summary: "Commit labels found in an allowed call's result to its session (before the agent sees it)",
    handler: ({ rt, agent, body }) => observe(rt, agent!, body),
  }),
  defineRoute({
    method: "GET",
    path: "/api/v1/agents/me",
    auth: "agent",
    response: agentIdentity,
    tag: "Identity",
    summary: "Check an agent key: the agent it belongs to (no side effects)",
    handler: async ({ agent }) => ({ id: agent!.agentId, name: agent!.name, key_id: agent!.keyId, suspended: agent!.suspended !== null }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/inventory",
    auth: "agent",
    body: inventoryRequest,
    response: inventoryResponse,
    tag: "Inventory",
    summary: "Report the tools, resources and prompts an MCP server lists",
    handler: ({ rt, agent, body }) =>
      reportInventory(rt, body.server, body.tools, `agent:${agent!.name}`, { resources: body.resources, prompts: body.prompts }),
  }),
];
