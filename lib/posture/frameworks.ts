/**
 * What the posture report maps (issue 20 §3): three frameworks, each item to the Mandate controls that
 * address it, how this deployment implements them, and the live checks (checks.ts) that show it. Items
 * Mandate does not address say so (`coverage: "none"`) instead of claiming coverage; "partial" says what
 * part is outside Mandate.
 *
 * Sources, as cited in the report:
 *  - OWASP Top 10 for Agentic Applications 2026 (OWASP GenAI Security Project, Agentic Security
 *    Initiative, released December 2025), risks ASI01–ASI10.
 *  - OWASP Top 10 Non-Human Identities Risks – 2025 (owasp.org/www-project-non-human-identities-top-10),
 *    NHI1:2025–NHI10:2025.
 *  - NIST SP 800-207, Zero Trust Architecture (August 2020), §2.1 "Tenets of Zero Trust" (seven tenets).
 */

export type Coverage = "full" | "partial" | "none";

export interface FrameworkItem {
  id: string;
  title: string;
  coverage: Coverage;
  /** The Mandate controls that address it. */
  controls: string[];
  /** How this deployment implements them, or why it does not. */
  implementation: string;
  /** Ids of checks (checks.ts) that show the control working. */
  checks: string[];
}

export interface Framework {
  id: "owasp-asi" | "owasp-nhi" | "nist-800-207";
  name: string;
  version: string;
  source: string;
  items: FrameworkItem[];
}

export const FRAMEWORKS: Framework[] = [
  {
    id: "owasp-asi",
    name: "OWASP Top 10 for Agentic Applications",
    version: "2026 (released December 2025)",
    source: "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
    items: [
      {
        id: "ASI01",
        title: "Agent Goal Hijack",
        coverage: "partial",
        controls: ["Data-flow rules on session labels (lethal trifecta)", "Observed labels from results", "Human approval for high-risk tools"],
        implementation:
          "Mandate cannot see a model's goal; it limits what a hijacked agent can do: once a session holds private data and untrusted content, " +
          "external communication is denied, and labels come from what results actually contained. Prompt-level injection detection is outside Mandate.",
        checks: ["decisions.trifecta_denials", "labels.observed", "approvals.sla"],
      },
      {
        id: "ASI02",
        title: "Tool Misuse and Exploitation",
        coverage: "full",
        controls: ["Tool inventory with approved classification (fail closed)", "Cedar policies on tool and exact arguments", "Operator blocks"],
        implementation:
          "Every tools/call, resources/read and prompts/get is decided on the item, its classification and its exact arguments; unapproved or changed items are denied and hidden from lists.",
        checks: ["inventory.approved", "decisions.range", "operator.controls"],
      },
      {
        id: "ASI03",
        title: "Identity and Privilege Abuse",
        coverage: "full",
        controls: ["Per-agent identities", "RFC 8693 delegation with narrowing scopes and chain", "Workload identity federation"],
        implementation:
          "Each agent authenticates as itself; delegated authority is a token naming the whole chain, never wider than its parent, revocable on every node; agents can run without static secrets.",
        checks: ["delegation.active", "agents.federated", "agents.static_keys_on_federated"],
      },
      {
        id: "ASI04",
        title: "Agentic Supply Chain Vulnerabilities",
        coverage: "partial",
        controls: ["Definition hashes and change detection of tools, resources and prompts"],
        implementation:
          "A server that changes a tool's definition after approval sends it back to review (denied meanwhile). Model weights, packages and the MCP servers' own code are outside Mandate.",
        checks: ["inventory.approved"],
      },
      {
        id: "ASI05",
        title: "Unexpected Code Execution (RCE)",
        coverage: "partial",
        controls: ["Effect and risk classification", "Approval for destructive or high-risk tools"],
        implementation: "Code-executing tools are classified and can require approval or be denied by policy; sandboxing of what executes is outside Mandate.",
        checks: ["approvals.sla", "inventory.approved"],
      },
      {
        id: "ASI06",
        title: "Memory & Context Poisoning",
        coverage: "partial",
        controls: ["untrusted_content labels carried through the session", "Observed labels from server _meta (ifc)"],
        implementation:
          "Content from untrusted sources marks the session, and policies restrict what follows; the agent's own long-term memory is outside Mandate.",
        checks: ["labels.observed"],
      },
      {
        id: "ASI07",
        title: "Insecure Inter-Agent Communication",
        coverage: "partial",
        controls: ["Signed delegation tokens bound to the actor", "Receipts binding each allowed call"],
        implementation:
          "Authority passed between agents is a signed, audience- and actor-bound token checked on every call; the agents' message transport itself is outside Mandate.",
        checks: ["delegation.active"],
      },
      {
        id: "ASI08",
        title: "Cascading Failures",
        coverage: "partial",
        controls: ["Fail-closed decisions", "Operator kill switches (suspend agent, terminate session, block tool)"],
        implementation: "When Mandate cannot decide it denies with a reason; an operator stops an agent, a session or a tool on every node at once.",
        checks: ["operator.controls"],
      },
      {
        id: "ASI09",
        title: "Human-Agent Trust Exploitation",
        coverage: "partial",
        controls: ["Approvals that show the exact arguments, the session's labels and its history"],
        implementation:
          "An approver sees what will run exactly and what the session did before; approvals expire (denied) rather than wait forever. " +
          "Persuasion of the user by the agent's output is outside Mandate.",
        checks: ["approvals.sla"],
      },
      {
        id: "ASI10",
        title: "Rogue Agents",
        coverage: "full",
        controls: ["Attributable, hash-chained audit of every call", "Suspension on every node", "Policies on session history"],
        implementation:
          "Every decision and outcome is attributed to an agent, a session and the human behind it in a verifiable log; a rogue agent is suspended everywhere with one action.",
        checks: ["audit.verified", "audit.checkpoint", "operator.controls"],
      },
    ],
  },
  {
    id: "owasp-nhi",
    name: "OWASP Top 10 Non-Human Identities Risks",
    version: "2025",
    source: "https://owasp.org/www-project-non-human-identities-top-10/2025/top-10-2025",
    items: [
      {
        id: "NHI1",
        title: "Improper Offboarding",
        coverage: "full",
        controls: ["Agent owners", "Unused agents and keys flagged", "Suspension and revocation"],
        implementation:
          "Every agent can have an owner; agents and keys nobody used for a while, and agents whose owner left, are listed with the action that fixes them.",
        checks: ["agents.no_owner", "agents.owner_disabled", "agents.unused", "keys.unused"],
      },
      {
        id: "NHI2",
        title: "Secret Leakage",
        coverage: "partial",
        controls: ["Keys shown once, stored hashed", "Secrets redacted from audited arguments", "Secrets detector on results"],
        implementation:
          "Mandate never stores a key in clear and redacts credentials from what it records; results carrying secrets label the session. Scanning of repositories is outside Mandate.",
        checks: ["labels.observed", "keys.old"],
      },
      {
        id: "NHI3",
        title: "Vulnerable Third-Party NHI",
        coverage: "none",
        controls: [],
        implementation: "Credentials that third-party tools and IDE extensions hold are outside what Mandate sees.",
        checks: [],
      },
      {
        id: "NHI4",
        title: "Insecure Authentication",
        coverage: "full",
        controls: ["Workload identity federation (OIDC, Kubernetes, SPIFFE, GitHub Actions)", "Short-lived access tokens", "Replay protection"],
        implementation:
          "Agents can authenticate with their platform's signed token for a Mandate token of at most 15 minutes; no secret is stored on their side.",
        checks: ["agents.federated", "agents.static_keys_on_federated"],
      },
      {
        id: "NHI5",
        title: "Overprivileged NHI",
        coverage: "full",
        controls: ["Per-tool, per-argument Cedar policies", "Delegation scopes that only narrow", "Who can call each tool"],
        implementation: "An agent may call only what policies permit for its identity, and delegated authority is never wider than the delegator's.",
        checks: ["inventory.approved", "policies.tested"],
      },
      {
        id: "NHI6",
        title: "Insecure Cloud Deployment Configurations",
        coverage: "none",
        controls: [],
        implementation: "CI/CD and cloud configurations are outside Mandate; federation removes the need to put Mandate keys in them.",
        checks: ["agents.federated"],
      },
      {
        id: "NHI7",
        title: "Long-Lived Secrets",
        coverage: "full",
        controls: ["Expiring keys", "Key age and expiry checks"],
        implementation: "Agent keys and personal tokens expire; keys older than the threshold and keys that never expire are flagged.",
        checks: ["keys.old", "keys.never_expire", "keys.expiring"],
      },
      {
        id: "NHI8",
        title: "Environment Isolation",
        coverage: "partial",
        controls: ["Agent environment attribute usable in policies", "Trust rules bound to a platform subject"],
        implementation:
          "Policies can tell environments apart by agent attributes, and a federated agent is bound to one workload subject; network isolation is outside Mandate.",
        checks: ["agents.federated"],
      },
      {
        id: "NHI9",
        title: "NHI Reuse",
        coverage: "partial",
        controls: ["One identity per agent", "Sessions attributed to the agent and initiator"],
        implementation:
          "Each agent has its own identity and keys, and every session records who started it; two workloads sharing one agent key cannot be told apart.",
        checks: ["agents.static_keys_on_federated"],
      },
      {
        id: "NHI10",
        title: "Human Use of NHI",
        coverage: "partial",
        controls: ["Personal tokens for people, agent keys for agents", "Audit attributes every call"],
        implementation: "People act with their own tokens and console sessions; a person using an agent's key is not distinguishable by Mandate.",
        checks: ["keys.unused"],
      },
    ],
  },
  {
    id: "nist-800-207",
    name: "NIST SP 800-207 Zero Trust Architecture",
    version: "August 2020, §2.1 Tenets of Zero Trust",
    source: "https://doi.org/10.6028/NIST.SP.800-207",
    items: [
      {
        id: "Tenet 1",
        title: "All data sources and computing services are considered resources",
        coverage: "full",
        controls: ["Inventory of tools, resources and prompts per MCP server"],
        implementation: "Every tool, resource and prompt an agent can reach through the gateway is an inventory item with its own classification and decision.",
        checks: ["inventory.approved"],
      },
      {
        id: "Tenet 2",
        title: "All communication is secured regardless of network location",
        coverage: "partial",
        controls: ["Authenticated decision API", "Signed tokens and receipts"],
        implementation: "Every call to Mandate is authenticated, loopback included; TLS termination is the deployment's (docs/deploy.md).",
        checks: [],
      },
      {
        id: "Tenet 3",
        title: "Access to individual enterprise resources is granted on a per-session basis",
        coverage: "full",
        controls: ["A decision per call, in its session"],
        implementation: "Each call is decided on its own, in its session; a decision grants nothing beyond that call.",
        checks: ["decisions.range"],
      },
      {
        id: "Tenet 4",
        title: "Access to resources is determined by dynamic policy",
        coverage: "full",
        controls: ["Cedar policies on agent, tool, arguments, session history, labels and delegation chain"],
        implementation: "Policies read the observable state of the session (labels, tools used, counts) and of the identities, not only static roles.",
        checks: ["policies.tested", "decisions.trifecta_denials"],
      },
      {
        id: "Tenet 5",
        title: "The enterprise monitors and measures the integrity and security posture of all owned and associated assets",
        coverage: "partial",
        controls: ["This posture report", "Definition change detection"],
        implementation: "Mandate measures its own assets (agents, keys, tools, policies); the posture of the hosts agents run on is outside Mandate.",
        checks: ["keys.old", "agents.unused", "inventory.approved"],
      },
      {
        id: "Tenet 6",
        title: "All resource authentication and authorization are dynamic and strictly enforced before access is allowed",
        coverage: "full",
        controls: ["Gateway as enforcement point, fail closed", "Revocation in force on every node within the change-feed bound"],
        implementation:
          "The gateway forwards nothing that was not allowed; revocations and blocks apply on the next request on every node (docs/guarantees.md).",
        checks: ["decisions.range", "operator.controls"],
      },
      {
        id: "Tenet 7",
        title:
          "The enterprise collects as much information as possible about the current state of assets, network infrastructure and communications and uses it to improve its security posture",
        coverage: "full",
        controls: ["Hash-chained audit of every decision and outcome", "Signed checkpoints", "What-if replay"],
        implementation:
          "Every decision, outcome and admin change is recorded in a verifiable log, and policy changes can be replayed against real history before publishing.",
        checks: ["audit.verified", "audit.checkpoint", "labels.observed"],
      },
    ],
  },
];
