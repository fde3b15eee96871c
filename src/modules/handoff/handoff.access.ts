import { and, eq, inArray, isNotNull, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type Conversation, conversations } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { AuthUser } from '../../lib/types';
import { allows } from '../auth/permissions';
import { findOwnConversation, ownerOf } from '../conversations/conversations.service';

/** States in which a conversation belongs to the operators as well as to its customer. */
export const HANDOFF_STATES = ['waiting', 'with_operator', 'resolved'] as const;

/**
 * What operators may see: every guest conversation, and an account holder's conversation only while it
 * is (or was last) handed off. A signed-in customer's other conversations stay theirs alone.
 */
export const visibleToOperators: SQL = or(
  isNotNull(conversations.visitorId),
  inArray(conversations.state, [...HANDOFF_STATES]),
) as SQL;

export const isOperator = (caller: AuthUser) => allows(caller, 'inbox:operate');

const notFound = () => new AppError(404, 'NOT_FOUND', 'No such conversation.');

export type ConversationAccess = { conversation: Conversation; as: 'owner' | 'operator' };

/**
 * The conversation if the caller may follow it: its owner (account or visitor), or an operator when
 * operators may see it. Anyone else gets the same 404 as for a conversation that does not exist. An
 * operator reading their own conversation reads it as its owner.
 */
export async function conversationAccess(db: Db, caller: AuthUser, id: string): Promise<ConversationAccess> {
  if (caller.role === 'guest' || !isOperator(caller)) {
    return { conversation: await findOwnConversation(db, ownerOf(caller), id), as: 'owner' };
  }
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id)).limit(1);
  if (!row) throw notFound();
  if (row.userId === caller.id) return { conversation: row, as: 'owner' };
  if (row.visitorId === null && !(HANDOFF_STATES as readonly string[]).includes(row.state)) throw notFound();
  return { conversation: row, as: 'operator' };
}

/** For operator-only actions: the conversation if operators may see it, else 404. */
export async function operatorConversation(db: Db, id: string): Promise<Conversation> {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, id), visibleToOperators))
    .limit(1);
  if (!row) throw notFound();
  return row;
}
