import type { HandoffContext } from '../handoff.context';

// PLACEHOLDER owned by the webhook helper (replaced before landing): builds the signed delivery's JSON for
// the handoff and enqueues it on HANDOFF_WEBHOOKS when HANDOFF_WEBHOOK_URL is set.
export async function enqueueHandoffWebhook(_ctx: HandoffContext, _handoffId: string): Promise<void> {}
