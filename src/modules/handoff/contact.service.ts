import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Conversation, conversations, handoffs } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { HandoffContext } from './handoff.context';
import { refreshInbox } from './handoff.service';
import { mailSupportInbox } from './nobody-there';

const HANDED_OFF = ['waiting', 'with_operator'] as const;

const notHandedOff = () =>
  new AppError(409, 'CONVERSATION_STATE', 'Leave an address while you are waiting for or talking to a person.');

/**
 * The customer's address on their current handoff, stored only while the conversation is still handed
 * off with that handoff (one statement). A new address on a handoff that timed out is forwarded to the
 * support inbox with the transcript; the same address again is stored, not mailed twice.
 */
export async function leaveContactEmail(
  ctx: HandoffContext,
  conversation: Conversation,
  email: string,
): Promise<{ contactEmail: string; forwarded: boolean }> {
  const handoffId = conversation.handoffId;
  if (!handoffId || !(HANDED_OFF as readonly string[]).includes(conversation.state)) throw notHandedOff();
  const stillHandedOff = sql`exists (select 1 from ${conversations} where ${conversations.id} = ${conversation.id}
    and ${inArray(conversations.state, [...HANDED_OFF])} and ${conversations.handoffId} = ${handoffId})`;
  const changed = await ctx.db
    .update(handoffs)
    .set({ contactEmail: email })
    .where(and(eq(handoffs.id, handoffId), sql`${handoffs.contactEmail} is not ${email}`, stillHandedOff))
    .returning({ timedOutAt: handoffs.timedOutAt });
  if (changed.length === 0) {
    // Either the address was already stored (fine) or the conversation left the handoff (409).
    const [current] = await ctx.db
      .select({ contactEmail: handoffs.contactEmail })
      .from(handoffs)
      .where(and(eq(handoffs.id, handoffId), stillHandedOff))
      .limit(1);
    if (current?.contactEmail !== email) throw notHandedOff();
    return { contactEmail: email, forwarded: false };
  }
  const forwarded = changed[0]?.timedOutAt != null && ctx.config.handoff.supportInboxEmail !== undefined;
  ctx.waitUntil(refreshInbox(ctx, conversation.id));
  if (forwarded) ctx.waitUntil(mailSupportInbox(ctx, conversation.id, 'contact'));
  return { contactEmail: email, forwarded };
}
