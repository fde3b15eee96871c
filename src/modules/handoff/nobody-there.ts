import { and, eq, isNull, sql } from 'drizzle-orm';
import { conversations, handoffs } from '../../db/schema';
import { log } from '../../lib/logger';
import { mailSenderFor, sendWithRetry } from '../mail/mailer';
import type { HandoffContext } from './handoff.context';
import { postSystemMessage, refreshInbox } from './handoff.service';
import { type TranscriptKind, transcriptMail } from './transcript';

/** What the customer reads when nobody claimed their handoff in time. */
export const NOBODY_THERE_TEXT =
  'Nobody from our team is available right now. Leave your email and we’ll get back to you — or keep writing here; a person will see it.';

/**
 * Nobody claimed the handoff within HANDOFF_WAIT_MINUTES (the conversation's LiveChannel alarm calls
 * this). Marks the handoff timed out with one guarded UPDATE — only while it is still the
 * conversation's waiting, unclaimed handoff, and only once — then tells the customer and mails the
 * transcript to SUPPORT_INBOX_EMAIL. A timer that outlived its handoff (claimed, resolved, replaced)
 * changes nothing.
 */
export async function handleWaitTimeout(ctx: HandoffContext, conversationId: string, handoffId: string): Promise<void> {
  const timedOut = await ctx.db
    .update(handoffs)
    .set({ timedOutAt: new Date() })
    .where(
      and(
        eq(handoffs.id, handoffId),
        eq(handoffs.conversationId, conversationId),
        isNull(handoffs.timedOutAt),
        isNull(handoffs.claimedAt),
        sql`exists (select 1 from ${conversations} where ${conversations.id} = ${conversationId}
          and ${conversations.state} = 'waiting' and ${conversations.handoffId} = ${handoffId})`,
      ),
    )
    .returning({ id: handoffs.id });
  if (timedOut.length === 0) return;
  log('info', 'handoff timed out: nobody claimed it', { conversationId, handoffId });
  const told = await postSystemMessage(ctx, conversationId, NOBODY_THERE_TEXT, 'nobody_available', handoffId);
  // Claimed between the time-out and the notice: the customer has a person, nobody needs telling.
  if (!told) return;
  await Promise.all([refreshInbox(ctx, conversationId), mailSupportInbox(ctx, conversationId, 'timeout')]);
}

/** The transcript to SUPPORT_INBOX_EMAIL (when set). Failures are logged by the mailer, never thrown. */
export async function mailSupportInbox(ctx: HandoffContext, conversationId: string, kind: TranscriptKind) {
  const to = ctx.config.handoff.supportInboxEmail;
  if (!to) return;
  const message = await transcriptMail(ctx.db, ctx.config.mail, conversationId, to, kind);
  if (!message) return;
  const sender = mailSenderFor(ctx.env, ctx.db, ctx.config.mail);
  await sendWithRetry(sender, message, `handoff_${kind}`, ctx.requestId);
}
