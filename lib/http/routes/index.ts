/**
 * Every data-plane route. Adding an endpoint means adding it to one of these lists (the role-matrix
 * test enumerates them).
 */
import { Router } from "../router.ts";
import type { RouteDef } from "../route.ts";
import { dataPlaneRoutes } from "./data-plane.ts";
import { delegationRoutes } from "./delegation.ts";
import { approvalRoutes } from "./approvals.ts";
import { authzenRoutes } from "./authzen.ts";
import { federationRoutes } from "./federation.ts";
import { leakReportRoutes } from "./leak-report.ts";
import { operatorRoutes } from "./operator.ts";
import { policyRoutes } from "./policies.ts";
import { postureRoutes } from "./posture.ts";
import { sinkRoutes } from "./sinks.ts";
import { systemRoutes } from "./system.ts";
import { userRoutes } from "./users.ts";
import { viewRoutes } from "./views.ts";

export function allRoutes(): RouteDef<unknown, unknown>[] {
  const list: RouteDef<unknown, unknown>[] = [
    ...dataPlaneRoutes,
    ...operatorRoutes,
    ...leakReportRoutes,
    ...federationRoutes,
    ...policyRoutes,
    ...userRoutes,
    ...delegationRoutes,
    ...approvalRoutes,
    ...authzenRoutes,
    ...postureRoutes,
    ...sinkRoutes,
    ...viewRoutes,
  ];
  const sys = systemRoutes(() => list);
  list.push(...sys);
  return list;
}

export function buildRouter(): Router {
  return new Router(allRoutes());
}
