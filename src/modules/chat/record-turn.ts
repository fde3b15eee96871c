import { eq, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { conversations, messages } from '../../db/schema';
import { titleFrom } from '../conversations/conversations.service';
import { documentCitationStatement } from '../documents/documents.service';
import { faqHitStatement } from '../faqs/faqs.service';
import type { AnswerSource, ChatUsage } from './chat.types';
import { addUsageStatement } from './usage.service';

/** A user's turn, or a guest's: the visitor, their site and the identity its server signed (if any). */
export type TurnOwner =
  | { userId: string }
  | { visitorId: string; siteId: string; customer?: { id: string; email: string } | undefined };

export type TurnRecord = {
  db: Db;
  owner: TurnOwner;
  conversationId: string;
  isNewConversation: boolean;
  /** False for OpenAI-compatible calls: usage is counted, the text is not kept. */
  persist: boolean;
  messageId: string;
  userMessage: string;
  answer: string;
  source: AnswerSource;
  model: string;
  faqId?: string;
  /** Documents the answer cited: each one's "used in answers" count goes up. */
  citedDocumentIds?: readonly string[];
  usage: ChatUsage;
  usageEstimated: boolean;
  incomplete: boolean;
  finishReason: string;
};

type NewMessage = typeof messages.$inferInsert;

/**
 * Inserts the rows only while their conversation still exists, as one statement: a conversation the
 * user deleted while its answer streamed must make the insert a no-op, not a foreign-key failure that
 * would roll back the usage written in the same batch.
 */
function insertIntoLiveConversation(db: Db, conversationId: string, rows: Required<NewMessage>[]) {
  // Every column, in table order: the order drizzle lists them in `insert into messages (…)`.
  const columns = getTableColumns(messages);
  const keys = Object.keys(columns) as (keyof typeof columns)[];
  const live = sql`exists (select 1 from ${conversations} where ${conversations.id} = ${conversationId})`;
  const selects = rows.map(
    (row) =>
      sql`select ${sql.join(
        keys.map((key) => sql.param(row[key], columns[key])),
        sql`, `,
      )} where ${live}`,
  );
  return db.insert(messages).select(sql.join(selects, sql` union all `));
}

/**
 * Writes a finished (or stopped) turn in one D1 batch (one round trip, one transaction): today's
 * usage, the FAQ hit, and the conversation (new, or its counters) with both messages.
 */
export async function recordTurn(turn: TurnRecord): Promise<void> {
  const { db } = turn;
  const now = Date.now();
  const { owner } = turn;
  // Per-user daily usage belongs to accounts; a guest's tokens are counted by their site's ceiling.
  const usage =
    'userId' in owner
      ? [
          addUsageStatement(db, owner.userId, {
            promptTokens: turn.usage.promptTokens,
            completionTokens: turn.usage.completionTokens,
            cacheHitTokens: turn.usage.cacheHitTokens,
            chats: 1,
            faqAnswers: turn.source === 'faq' ? 1 : 0,
          }),
        ]
      : [];
  const faqHit = [
    ...(turn.faqId ? [faqHitStatement(db, turn.faqId)] : []),
    ...(turn.citedDocumentIds?.length ? [documentCitationStatement(db, turn.citedDocumentIds)] : []),
  ];
  if (!turn.persist) {
    const [first, ...rest] = [...usage, ...faqHit];
    if (first) await db.batch([first, ...rest]);
    return;
  }
  // A guest who identified themselves later marks the conversation from then on; never un-marks it.
  const customer =
    'visitorId' in owner && owner.customer
      ? { customerId: owner.customer.id, customerEmail: owner.customer.email }
      : {};
  const conversation = turn.isNewConversation
    ? db.insert(conversations).values({
        id: turn.conversationId,
        ...('userId' in owner ? { userId: owner.userId } : { visitorId: owner.visitorId, siteId: owner.siteId }),
        ...customer,
        title: titleFrom(turn.userMessage),
        messageCount: 2,
      })
    : db
        .update(conversations)
        .set({
          messageCount: sql`${conversations.messageCount} + 2`,
          updatedAt: new Date(now),
          // A resolved conversation the customer writes to again is the assistant's again.
          state: sql`case when ${conversations.state} = 'resolved' then 'bot' else ${conversations.state} end`,
          ...customer,
        })
        .where(eq(conversations.id, turn.conversationId));
  const noUsage = { source: null, model: null, faqId: null, promptTokens: 0, completionTokens: 0, cacheHitTokens: 0 };
  const noAuthor = { authorId: null, authorName: null, authorRole: null, notice: null };
  const rows = insertIntoLiveConversation(db, turn.conversationId, [
    {
      id: crypto.randomUUID(),
      conversationId: turn.conversationId,
      role: 'user',
      content: turn.userMessage,
      ...noUsage,
      ...noAuthor,
      usageEstimated: false,
      incomplete: false,
      finishReason: null,
      createdAt: new Date(now - 1),
    },
    {
      id: turn.messageId,
      conversationId: turn.conversationId,
      role: 'assistant',
      content: turn.answer,
      source: turn.source,
      model: turn.source === 'model' ? turn.model : null,
      faqId: turn.faqId ?? null,
      promptTokens: turn.usage.promptTokens,
      completionTokens: turn.usage.completionTokens,
      cacheHitTokens: turn.usage.cacheHitTokens,
      usageEstimated: turn.usageEstimated,
      incomplete: turn.incomplete,
      finishReason: turn.finishReason,
      ...noAuthor,
      createdAt: new Date(now),
    },
  ]);
  await db.batch([conversation, rows, ...usage, ...faqHit]);
}
