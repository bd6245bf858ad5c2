/** Where a recorded decision is, as the shadow table and a what-if replay list it (each with a link to its step). */
export interface RecordedDecisionRef {
  decisionId: string;
  at: string;
  sessionId: string;
  step: number;
  agent: string;
  tool: string;
}
