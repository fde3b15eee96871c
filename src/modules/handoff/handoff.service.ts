import { and, eq, getTableColumns, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import {
  type Conversation,
  type ConversationState,
  conversations,
  handoffs,
  messages,
  type Role,
  type SystemNotice,
  users,
} from '../../db/schema';
import { errorDetail } from '../../lib/error-detail';
import { AppError } from '../../lib/errors';
import { log } from '../../lib/logger';
import { type AuditAction, audit } from '../audit/audit.service';
import type { HandoffContext } from './handoff.context';
import type { LiveMessage, OperatorView } from './handoff.types';
import { displayNameOf, inboxItem } from './inbox.service';
import { conversationChannel, INBOX_CHANNEL, liveChannel, publishLive } from './live/live.client';
import { summarizeHandoff } from './summary';
import { enqueueHandoffWebhook } from './webhook/handoff-webhook';

export type HandoffTrigger = 'customer' | 'assistant' | 'operator';

/** The operator acting: their account as the customer will see them. */
export type Operator = { id: string; role: Role; displayName: string };

const stateConflict = (state: ConversationState, wanted: string) =>
  new AppError(409, 'CONVERSATION_STATE', `This conversation is ${state.replace('_', ' ')}; it cannot ${wanted}.`);

const alreadyClaimed = (by: string | null) =>
  new AppError(
    409,
    'ALREADY_CLAIMED',
    by ? `${by} is already handling this conversation.` : 'Another operator is already handling this conversation.',
  );

/** States a customer (or the assistant) may ask for a person from. */
const CAN_REQUEST: readonly ConversationState[] = ['bot', 'resolved'];

/**
 * bot | resolved → waiting. One D1 batch (one transaction): the handoff row is inserted only while the
 * conversation is in a state that may hand off, and the conversation points at it only if it was; so two
 * requests at once make one handoff, and the other hears 409 CONVERSATION_STATE. Then the effects: live
 * events to the customer and the inbox, the wait timer, and (in the background) the webhook and summary.
 */
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
  const requestable = and(eq(conversations.id, input.conversationId), inArray(conversations.state, [...CAN_REQUEST]));
  const [, updated] = await db.batch([
    insertHandoffWhere(db, requestable, {
      id: handoffId,
      trigger: input.trigger,
      reason: input.reason ?? null,
      contactEmail: input.email ?? null,
      requestedAt: now,
    }),
    db
      .update(conversations)
      .set({ state: 'waiting', assignedTo: null, handoffId, updatedAt: new Date(now) })
      .where(and(requestable, sql`exists (select 1 from ${handoffs} where ${handoffs.id} = ${handoffId})`))
      .returning(),
  ]);
  const conversation = updated[0];
  if (!conversation) {
    const current = await currentState(db, input.conversationId);
    throw stateConflict(current?.state ?? 'bot', 'be handed to a person now');
  }
  ctx.waitUntil(
    audit(db, {
      actorId: input.actorId ?? null,
      action: 'handoff_request',
      targetId: conversation.id,
      outcome: 'success',
      detail: { trigger: input.trigger, handoffId },
      requestId: ctx.requestId,
    }),
  );
  await announce(ctx, conversation);
  const channel = liveChannel(ctx.env.LIVE, conversationChannel(conversation.id));
  await channel
    .scheduleWaitTimeout(conversation.id, handoffId, now + ctx.config.handoff.waitMs)
    .catch((error: unknown) => {
      log('error', 'handoff wait timer not set; nobody will be told if no operator comes', {
        requestId: ctx.requestId,
        ...errorDetail(error),
      });
    });
  ctx.waitUntil(background(ctx, 'handoff webhook', enqueueHandoffWebhook(ctx, handoffId)));
  ctx.waitUntil(background(ctx, 'handoff summary', summarizeHandoff(ctx, conversation.id, handoffId)));
  return { handoffId, state: 'waiting', conversation };
}

/** `insert into handoffs … select … from conversations where <where>`: a row only if the conversation qualifies. */
function insertHandoffWhere(
  db: Db,
  where: ReturnType<typeof and>,
  row: {
    id: string;
    trigger: HandoffTrigger;
    reason: string | null;
    contactEmail: string | null;
    requestedAt: number;
    claimedBy?: string;
  },
) {
  const claimed = row.claimedBy === undefined ? null : row.requestedAt;
  // Every column in table order, as drizzle lists them in `insert into handoffs (…)`.
  const values: Record<keyof typeof handoffs.$inferSelect, unknown> = {
    id: row.id,
    conversationId: conversations.id,
    siteId: conversations.siteId,
    trigger: row.trigger,
    reason: row.reason,
    contactEmail: row.contactEmail,
    summary: null,
    requestedAt: row.requestedAt,
    claimedAt: claimed,
    claimedBy: row.claimedBy ?? null,
    timedOutAt: null,
    resolvedAt: null,
    releasedAt: null,
  };
  const keys = Object.keys(getTableColumns(handoffs)) as (keyof typeof values)[];
  // Columns (the conversation's id and site) render as columns, everything else as parameters.
  const selected = keys.map((key) => sql`${values[key]}`);
  return db.insert(handoffs).select(sql`select ${sql.join(selected, sql`, `)} from ${conversations} where ${where}`);
}

/**
 * A conversation whose operator is gone: their account was deleted (the holder is then null), deactivated,
 * or is no longer an operator's. Left alone it would be stuck with nobody answering; any operator may take
 * or end it.
 */
const heldByNobody = sql`(${conversations.state} = 'with_operator' and (${conversations.assignedTo} is null or not exists (
  select 1 from ${users} where ${users.id} = ${conversations.assignedTo} and ${users.isActive} = 1
    and ${users.role} in ('moderator', 'admin'))))`;

/**
 * An operator takes the conversation: a waiting one (its handoff is claimed), or one the assistant is
 * answering (take-over: a handoff row records it, claimed at once). Conditional on the state read, so of
 * two operators claiming at once exactly one wins; the other hears 409 ALREADY_CLAIMED.
 */
export async function claim(ctx: HandoffContext, operator: Operator, conversation: Conversation) {
  const { db } = ctx;
  const now = Date.now();
  const id = conversation.id;
  const mine = and(
    eq(conversations.id, id),
    eq(conversations.state, 'with_operator'),
    eq(conversations.assignedTo, operator.id),
  );
  let updated: Conversation[];
  if (conversation.state === 'waiting' || conversation.state === 'with_operator') {
    [updated] = await db.batch([
      db
        .update(conversations)
        .set({ state: 'with_operator', assignedTo: operator.id, updatedAt: new Date(now) })
        .where(and(eq(conversations.id, id), sql`(${conversations.state} = 'waiting' or ${heldByNobody})`))
        .returning(),
      db
        .update(handoffs)
        .set({ claimedAt: new Date(now), claimedBy: operator.id })
        .where(
          and(
            isNull(handoffs.claimedAt),
            sql`${handoffs.id} = (select ${conversations.handoffId} from ${conversations} where ${mine})`,
          ),
        ),
    ]);
  } else if (conversation.state === 'bot') {
    const handoffId = crypto.randomUUID();
    const takeable = and(eq(conversations.id, id), eq(conversations.state, 'bot'));
    [, updated] = await db.batch([
      insertHandoffWhere(db, takeable, {
        id: handoffId,
        trigger: 'operator',
        reason: null,
        contactEmail: null,
        requestedAt: now,
        claimedBy: operator.id,
      }),
      db
        .update(conversations)
        .set({ state: 'with_operator', assignedTo: operator.id, handoffId, updatedAt: new Date(now) })
        .where(and(takeable, sql`exists (select 1 from ${handoffs} where ${handoffs.id} = ${handoffId})`))
        .returning(),
    ]);
  } else {
    updated = [];
  }
  const claimedNow = updated[0];
  if (!claimedNow) {
    const current = await currentState(db, id);
    if (current?.state === 'with_operator' && current.assignedTo === operator.id) return current; // already mine
    if (current?.state === 'with_operator') throw alreadyClaimed(await operatorName(db, current.assignedTo));
    throw stateConflict(current?.state ?? conversation.state, 'be claimed');
  }
  ctx.waitUntil(audited(ctx, operator, 'handoff_claim', id, { from: conversation.state }));
  await cancelWaitTimer(ctx, id);
  await announce(ctx, claimedNow);
  // A take-over is a handoff too: the team's channel hears of it (trigger `operator`, already claimed).
  if (conversation.state === 'bot' && claimedNow.handoffId) {
    ctx.waitUntil(background(ctx, 'handoff webhook', enqueueHandoffWebhook(ctx, claimedNow.handoffId)));
  }
  return claimedNow;
}

/** with_operator (the holder) or waiting → resolved. */
export function resolve(ctx: HandoffContext, operator: Operator, conversation: Conversation) {
  return endHandoff(ctx, operator, conversation, 'resolved');
}

/** with_operator (the holder) or waiting → bot: the assistant answers again. */
export function release(ctx: HandoffContext, operator: Operator, conversation: Conversation) {
  return endHandoff(ctx, operator, conversation, 'bot');
}

async function endHandoff(
  ctx: HandoffContext,
  operator: Operator,
  conversation: Conversation,
  to: 'resolved' | 'bot',
): Promise<Conversation> {
  const { db } = ctx;
  const now = new Date();
  const id = conversation.id;
  // The holder may end it; one nobody holds (waiting, or its operator is gone) any operator may.
  const endable = and(
    eq(conversations.id, id),
    sql`(${conversations.state} = 'waiting' or ${heldByNobody} or (${conversations.state} = 'with_operator' and ${conversations.assignedTo} = ${operator.id}))`,
  );
  const [, updated] = await db.batch([
    db
      .update(handoffs)
      .set(to === 'resolved' ? { resolvedAt: now } : { releasedAt: now })
      .where(sql`${handoffs.id} = (select ${conversations.handoffId} from ${conversations} where ${endable})`),
    db.update(conversations).set({ state: to, assignedTo: null, updatedAt: now }).where(endable).returning(),
  ]);
  // The handoff update runs first (while the state still qualifies); the batch is one transaction.
  const done = updated[0];
  if (!done) {
    const current = await currentState(db, id);
    if (current?.state === 'with_operator') throw alreadyClaimed(await operatorName(db, current.assignedTo));
    throw stateConflict(
      current?.state ?? conversation.state,
      to === 'resolved' ? 'be resolved' : 'go back to the assistant',
    );
  }
  const action = to === 'resolved' ? 'handoff_resolve' : 'handoff_release';
  ctx.waitUntil(audited(ctx, operator, action, id, { from: conversation.state }));
  await cancelWaitTimer(ctx, id);
  await announce(ctx, done);
  return done;
}

/**
 * An operator's reply, from the operator holding the conversation. Stored only while they still hold it
 * (one statement), with their display name and role as the customer sees them, and sent live.
 */
export async function reply(ctx: HandoffContext, operator: Operator, conversation: Conversation, text: string) {
  const { db, config } = ctx;
  const content = checkedText(text, config.chat.maxMessageChars);
  if (conversation.messageCount + 1 > config.chat.maxMessagesPerConversation) {
    throw new AppError(409, 'CONVERSATION_FULL', 'This conversation is full.');
  }
  const held = and(
    eq(conversations.id, conversation.id),
    eq(conversations.state, 'with_operator'),
    eq(conversations.assignedTo, operator.id),
  );
  const row = {
    id: crypto.randomUUID(),
    role: 'operator' as const,
    content,
    authorId: operator.id,
    authorName: operator.displayName,
    authorRole: operator.role,
    createdAt: new Date(),
  };
  const inserted = await insertMessageWhere(db, conversation.id, held, row);
  if (!inserted) {
    const current = await currentState(db, conversation.id);
    if (current?.state === 'with_operator') throw alreadyClaimed(await operatorName(db, current.assignedTo));
    throw stateConflict(current?.state ?? conversation.state, 'take operator replies; claim it first');
  }
  const message = toLiveMessage(row);
  await publishLive(
    ctx.env.LIVE,
    conversationChannel(conversation.id),
    { type: 'message', conversationId: conversation.id, message },
    ctx.requestId,
  );
  return message;
}

/**
 * A customer's message while a person has (or is about to have) the conversation: stored and delivered
 * to the operators, never sent to the model. Stored only while the conversation is still handed off.
 */
export async function holdCustomerMessage(
  ctx: HandoffContext,
  conversation: Conversation,
  text: string,
): Promise<{ conversationId: string; messageId: string; state: ConversationState } | undefined> {
  const handedOff = and(
    eq(conversations.id, conversation.id),
    inArray(conversations.state, ['waiting', 'with_operator']),
  );
  const row = { id: crypto.randomUUID(), role: 'user' as const, content: text, createdAt: new Date() };
  const inserted = await insertMessageWhere(ctx.db, conversation.id, handedOff, row);
  if (!inserted) return undefined; // handed back in the meantime: the assistant answers it
  const message = toLiveMessage({ ...row, authorName: null, authorRole: null });
  await Promise.all([
    publishLive(
      ctx.env.LIVE,
      conversationChannel(conversation.id),
      { type: 'message', conversationId: conversation.id, message },
      ctx.requestId,
    ),
    refreshInbox(ctx, conversation.id),
  ]);
  return { conversationId: conversation.id, messageId: row.id, state: inserted.state };
}

/** A notice to the customer from the service (nobody available, …): stored as a `system` message and sent live. */
export async function postSystemMessage(
  ctx: HandoffContext,
  conversationId: string,
  text: string,
  notice: SystemNotice | null = null,
  onlyWhileWaitingFor?: string,
) {
  const row = { id: crypto.randomUUID(), role: 'system' as const, content: text, notice, createdAt: new Date() };
  // A notice about a handoff is posted only while that handoff still waits (an operator may claim meanwhile).
  const where = onlyWhileWaitingFor
    ? and(
        eq(conversations.id, conversationId),
        eq(conversations.state, 'waiting'),
        eq(conversations.handoffId, onlyWhileWaitingFor),
      )
    : eq(conversations.id, conversationId);
  const inserted = await insertMessageWhere(ctx.db, conversationId, where, row);
  if (!inserted) return undefined;
  const message = toLiveMessage({ ...row, authorName: null, authorRole: null });
  await publishLive(
    ctx.env.LIVE,
    conversationChannel(conversationId),
    { type: 'message', conversationId, message },
    ctx.requestId,
  );
  return message;
}

type MessageRow = {
  id: string;
  role: 'user' | 'operator' | 'system';
  content: string;
  createdAt: Date;
  authorId?: string;
  authorName?: string | null;
  authorRole?: Role | null;
  notice?: SystemNotice | null;
};

/**
 * Inserts one message and bumps its conversation's counters, both only while `where` holds, in one
 * transaction; returns the conversation as it is after, or undefined when `where` did not hold.
 */
async function insertMessageWhere(db: Db, conversationId: string, where: ReturnType<typeof and>, row: MessageRow) {
  const values: Record<keyof typeof messages.$inferSelect, unknown> = {
    id: row.id,
    conversationId,
    role: row.role,
    content: row.content,
    source: null,
    model: null,
    faqId: null,
    promptTokens: 0,
    completionTokens: 0,
    cacheHitTokens: 0,
    usageEstimated: 0,
    incomplete: 0,
    finishReason: null,
    authorId: row.authorId ?? null,
    authorName: row.authorName ?? null,
    authorRole: row.authorRole ?? null,
    notice: row.notice ?? null,
    createdAt: row.createdAt.getTime(),
  };
  const keys = Object.keys(getTableColumns(messages)) as (keyof typeof values)[];
  const [, updated] = await db.batch([
    db.insert(messages).select(
      sql`select ${sql.join(
        keys.map((key) => sql`${values[key]}`),
        sql`, `,
      )} from ${conversations} where ${where}`,
    ),
    db
      .update(conversations)
      .set({ messageCount: sql`${conversations.messageCount} + 1`, updatedAt: row.createdAt })
      .where(
        and(
          eq(conversations.id, conversationId),
          sql`exists (select 1 from ${messages} where ${messages.id} = ${row.id})`,
        ),
      )
      .returning(),
  ]);
  return updated[0];
}

function checkedText(text: string, maxChars: number): string {
  const content = text.trim();
  if (content.length === 0) throw new AppError(400, 'EMPTY_MESSAGE', 'Type a message first.');
  if (content.length > maxChars) {
    throw new AppError(400, 'MESSAGE_TOO_LONG', `Messages can be at most ${maxChars} characters.`);
  }
  return content;
}

export const toLiveMessage = (row: MessageRow): LiveMessage => ({
  id: row.id,
  role: row.role,
  content: row.content,
  author:
    row.role === 'operator' && row.authorName && row.authorRole ? { name: row.authorName, role: row.authorRole } : null,
  notice: row.notice ?? null,
  createdAt: row.createdAt.toISOString(),
});

/** The new state, to the conversation's clients and to the inbox (with the conversation as it now lists). */
async function announce(ctx: HandoffContext, conversation: Conversation): Promise<void> {
  const assignedTo = await operatorView(ctx.db, conversation);
  const state = { type: 'state' as const, conversationId: conversation.id, state: conversation.state, assignedTo };
  await Promise.all([
    publishLive(ctx.env.LIVE, conversationChannel(conversation.id), state, ctx.requestId),
    refreshInbox(ctx, conversation.id),
  ]);
}

/** Tells the inbox how a conversation lists now (new message, summary written, timed out, …). */
export async function refreshInbox(ctx: HandoffContext, conversationId: string): Promise<void> {
  const item = await inboxItem(ctx.db, conversationId);
  if (!item) return;
  await publishLive(
    ctx.env.LIVE,
    INBOX_CHANNEL,
    { type: 'state', conversationId, state: item.state, assignedTo: item.assignedTo, item },
    ctx.requestId,
  );
}

async function operatorView(db: Db, conversation: Conversation): Promise<OperatorView | null> {
  if (conversation.state !== 'with_operator' || !conversation.assignedTo) return null;
  const [row] = await db
    .select({ id: users.id, fullName: users.fullName, username: users.username, role: users.role })
    .from(users)
    .where(eq(users.id, conversation.assignedTo))
    .limit(1);
  return row ? { id: row.id, displayName: displayNameOf(row), role: row.role } : null;
}

async function operatorName(db: Db, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const [row] = await db
    .select({ fullName: users.fullName, username: users.username })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return row ? displayNameOf(row) : null;
}

async function currentState(db: Db, id: string) {
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id)).limit(1);
  return row;
}

async function cancelWaitTimer(ctx: HandoffContext, conversationId: string): Promise<void> {
  try {
    await liveChannel(ctx.env.LIVE, conversationChannel(conversationId)).cancelWaitTimeout();
  } catch (error) {
    // The timer checks the state when it fires, so a timer left running only costs one wasted wake-up.
    log('warn', 'handoff wait timer not cancelled', { requestId: ctx.requestId, ...errorDetail(error) });
  }
}

function audited(
  ctx: HandoffContext,
  operator: Operator,
  action: AuditAction,
  conversationId: string,
  detail: Record<string, string>,
) {
  return audit(ctx.db, {
    actorId: operator.id,
    action,
    targetId: conversationId,
    outcome: 'success',
    detail,
    requestId: ctx.requestId,
  });
}

async function background(ctx: HandoffContext, what: string, work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (error) {
    log('error', `${what} failed`, { requestId: ctx.requestId, ...errorDetail(error) });
  }
}
