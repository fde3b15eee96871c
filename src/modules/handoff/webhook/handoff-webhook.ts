import { errorDetail } from '../../../lib/error-detail';
import { log } from '../../../lib/logger';
import type { HandoffContext } from '../handoff.context';
import { handoffEvent } from './handoff-event';

/** What travels on HANDOFF_WEBHOOKS: the event id (for logs) and the exact JSON text that gets signed and posted. */
export type WebhookMessage = { eventId: string; body: string };

/**
 * Builds the `handoff.requested` body from D1 now (so a retry hours later posts what happened then) and
 * queues it when HANDOFF_WEBHOOK_URL is set. Runs in the background of the handoff: it never throws,
 * a failure is logged and the chat carries on.
 */
export async function enqueueHandoffWebhook(ctx: HandoffContext, handoffId: string): Promise<void> {
  if (!ctx.config.handoff.webhook) return;
  try {
    const event = await handoffEvent(ctx.db, ctx.config.mail, handoffId);
    if (!event) {
      log('warn', 'handoff webhook not queued: handoff not found', { requestId: ctx.requestId, handoffId });
      return;
    }
    const message: WebhookMessage = { eventId: event.id, body: JSON.stringify(event) };
    await ctx.env.HANDOFF_WEBHOOKS.send(message, { contentType: 'json' });
  } catch (error) {
    log('error', 'handoff webhook not queued', { requestId: ctx.requestId, handoffId, ...errorDetail(error) });
  }
}
