import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type Conversation, conversations, type Message, messages } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { CallerRole } from '../../lib/types';

const notFound = () => new AppError(404, 'NOT_FOUND', 'No such conversation.');

/** Who owns a conversation: an account, or a website visitor (a guest, who has no account). */
export type ConversationOwner = { userId: string } | { visitorId: string };

/** A guest's conversations are their visitor's; everyone else's are their account's. */
export const ownerOf = (caller: { id: string; role: CallerRole }): ConversationOwner =>
  caller.role === 'guest' ? { visitorId: caller.id } : { userId: caller.id };

const ownedBy = (owner: ConversationOwner) =>
  'userId' in owner ? eq(conversations.userId, owner.userId) : eq(conversations.visitorId, owner.visitorId);

/** Owner-only lookup: someone else's conversation is indistinguishable from a missing one. */
export async function findOwnConversation(db: Db, owner: ConversationOwner, id: string): Promise<Conversation> {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, id), ownedBy(owner)))
    .limit(1);
  if (!row) throw notFound();
  return row;
}

export async function listConversations(db: Db, owner: ConversationOwner, page: number, pageSize: number) {
  const { rows, total } = await pageOfConversations(db, ownedBy(owner), page, pageSize);
  return { items: rows.map(toConversationView), page, pageSize, total };
}

/** One page of the conversations `where` selects, newest first, and how many there are in all. */
export async function pageOfConversations(db: Db, where: SQL | undefined, page: number, pageSize: number) {
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(conversations)
      .where(where)
      .orderBy(desc(conversations.updatedAt), conversations.id)
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ value: count() }).from(conversations).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}

/** The conversation and its latest `limit` messages, oldest first. */
export async function getConversationWithMessages(db: Db, owner: ConversationOwner, id: string, limit: number) {
  const conversation = await findOwnConversation(db, owner, id);
  const rows = await recentMessages(db, id, limit);
  return { conversation: toConversationView(conversation), messages: rows.map(toMessageView) };
}

export async function deleteConversation(db: Db, owner: ConversationOwner, id: string): Promise<void> {
  const deleted = await db
    .delete(conversations)
    .where(and(eq(conversations.id, id), ownedBy(owner)))
    .returning({ id: conversations.id });
  if (deleted.length === 0) throw notFound();
}

/** A title from the first message: its first line, trimmed to a readable length. */
export function titleFrom(message: string): string {
  const line = message.split('\n', 1)[0]?.trim() ?? '';
  return line.length > 80 ? `${line.slice(0, 77).trimEnd()}…` : line || 'New conversation';
}

/** The latest `limit` messages, oldest first: what history trimming starts from. */
export async function recentMessages(db: Db, conversationId: string, limit: number): Promise<Message[]> {
  const rows = await db
    .select()
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit);
  return rows.reverse();
}

export const toConversationView = (c: Conversation) => ({
  id: c.id,
  title: c.title,
  messageCount: c.messageCount,
  state: c.state,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export const toMessageView = (m: Message) => ({
  id: m.id,
  role: m.role,
  content: m.content,
  source: m.source,
  model: m.model,
  incomplete: m.incomplete,
  author: m.role === 'operator' && m.authorName && m.authorRole ? { name: m.authorName, role: m.authorRole } : null,
  notice: m.notice,
  createdAt: m.createdAt.toISOString(),
});
