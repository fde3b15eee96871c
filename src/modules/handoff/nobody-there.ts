import type { HandoffContext } from './handoff.context';

// PLACEHOLDER owned by the webhook/notify helper (replaced before landing): what happens when nobody claimed
// a handoff within HANDOFF_WAIT_MINUTES (called by the conversation's LiveChannel alarm).
export async function handleWaitTimeout(
  _ctx: HandoffContext,
  _conversationId: string,
  _handoffId: string,
): Promise<void> {}
