import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Conversation } from '../../db/schema';
import { conversations, handoffs } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { HandoffContext } from './handoff.context';
import { summarizeHandoff } from './summary';

// STAND-IN (h-tool branch): the lead's handoff.service.ts on main replaces this file whole at merge.
// It does only what the assistant's handoff needs to be testable here: the conditional D1 write and
// the summary in the background, with the signature main exports.
export type HandoffTrigger = 'customer' | 'assistant' | 'operator';

export async function startHandoff(
  ctx: HandoffContext,
  input: {
    conversationId: string;
    trigger: HandoffTrigger;
    reason?: string | null | undefined;
    email?: string | null | undefined;
    actorId?: string | undefined;
  },
): Promise<{ handoffId: string; state: 'waiting'; conversation: Conversation }> {
  const { db } = ctx;
  const handoffId = crypto.randomUUID();
  const now = Date.now();
  const requestable = and(
    eq(conversations.id, input.conversationId),
    inArray(conversations.state, ['bot', 'resolved']),
  );
  const [, updated] = await db.batch([
    db.insert(handoffs).select(
      db
        .select({
          id: sql<string>`${handoffId}`.as('id'),
          conversationId: conversations.id,
          siteId: conversations.siteId,
          trigger: sql<string>`${input.trigger}`.as('trigger'),
          reason: sql<string | null>`${input.reason ?? null}`.as('reason'),
          contactEmail: sql<string | null>`${input.email ?? null}`.as('contact_email'),
          summary: sql<null>`null`.as('summary'),
          requestedAt: sql<number>`${now}`.as('requested_at'),
          claimedAt: sql<null>`null`.as('claimed_at'),
          claimedBy: sql<null>`null`.as('claimed_by'),
          timedOutAt: sql<null>`null`.as('timed_out_at'),
          resolvedAt: sql<null>`null`.as('resolved_at'),
          releasedAt: sql<null>`null`.as('released_at'),
        })
        .from(conversations)
        .where(requestable),
    ),
    db
      .update(conversations)
      .set({ state: 'waiting', assignedTo: null, handoffId, updatedAt: new Date(now) })
      .where(and(requestable, sql`exists (select 1 from ${handoffs} where ${handoffs.id} = ${handoffId})`))
      .returning(),
  ]);
  const conversation = updated[0];
  if (!conversation)
    throw new AppError(409, 'CONVERSATION_STATE', 'This conversation cannot be handed to a person now.');
  ctx.waitUntil(summarizeHandoff(ctx, conversation.id, handoffId));
  return { handoffId, state: 'waiting', conversation };
}
