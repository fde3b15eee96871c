import type { HandoffContext } from './handoff.context';

// PLACEHOLDER owned by the tool/summary helper (replaced before landing): the model-written summary at handoff.
export async function summarizeHandoff(
  _ctx: HandoffContext,
  _conversationId: string,
  _handoffId: string,
): Promise<void> {}
