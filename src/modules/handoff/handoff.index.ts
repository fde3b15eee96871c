import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { users } from '../../db/schema';
import { createRouter } from '../../lib/create-router';
import { dbOf } from '../../lib/db-context';
import { AppError } from '../../lib/errors';
import type { AppEnv } from '../../lib/types';
import { audit } from '../audit/audit.service';
import { currentUser } from '../auth/authenticate';
import {
  findOwnConversation,
  ownerOf,
  recentMessages,
  toConversationView,
  toMessageView,
} from '../conversations/conversations.service';
import { operatorConversation } from './handoff.access';
import { handoffContextOf } from './handoff.context';
import * as routes from './handoff.routes';
import * as service from './handoff.service';
import { displayNameOf, inboxItem, inboxLists } from './inbox.service';

/** Messages returned with one conversation, as for the owner's own view. */
const MESSAGE_PAGE = 500;

/** The signed-in operator as customers will see them (the name is read now, so renames show at once). */
async function operatorOf(c: Context<AppEnv>): Promise<service.Operator> {
  const caller = currentUser(c);
  const [row] = await dbOf(c)
    .select({ fullName: users.fullName, username: users.username, role: users.role })
    .from(users)
    .where(eq(users.id, caller.id))
    .limit(1);
  if (!row) throw new Error('operator admitted without an account row');
  return { id: caller.id, role: row.role, displayName: displayNameOf(row) };
}

export const handoffRouter = createRouter()
  .openapi(routes.requestHandoff, async (c) => {
    const caller = currentUser(c);
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const ctx = handoffContextOf(c);
    // The customer's own button: only the owner asks; operators take over with claim.
    const conversation = await findOwnConversation(ctx.db, ownerOf(caller), id);
    const started = await service.startHandoff(ctx, {
      conversationId: conversation.id,
      trigger: 'customer',
      reason: body.reason || null,
      email: body.email ?? null,
      actorId: caller.role === 'guest' ? undefined : caller.id,
    });
    return c.json(
      { conversation: toConversationView(started.conversation), item: await inboxItem(ctx.db, conversation.id) },
      200,
    );
  })
  .openapi(routes.inbox, async (c) => {
    const db = dbOf(c);
    const caller = currentUser(c);
    const lists = await inboxLists(db, caller.id);
    // The inbox shows conversations' titles (their first message), reasons and summaries: a read, on record.
    await audit(db, {
      actorId: caller.id,
      action: 'inbox_read',
      outcome: 'success',
      detail: {
        waiting: lists.waiting.length,
        mine: lists.mine.length,
        others: lists.others.length,
        active: lists.active.length,
      },
      requestId: c.get('requestId'),
    });
    return c.json(lists, 200);
  })
  .openapi(routes.inboxConversation, async (c) => {
    const db = dbOf(c);
    const caller = currentUser(c);
    const conversation = await operatorConversation(db, c.req.valid('param').id);
    const [item, rows] = await Promise.all([
      inboxItem(db, conversation.id),
      recentMessages(db, conversation.id, MESSAGE_PAGE),
      // Every operator read of a customer's conversation is on record.
      audit(db, {
        actorId: caller.id,
        action: 'conversation_read',
        targetId: conversation.id,
        outcome: 'success',
        requestId: c.get('requestId'),
      }),
    ]);
    if (!item) throw new AppError(404, 'NOT_FOUND', 'No such conversation.');
    return c.json({ item, messages: rows.map(toMessageView) }, 200);
  })
  .openapi(routes.claim, async (c) => transition(c, c.req.valid('param').id, service.claim))
  .openapi(routes.resolve, async (c) => transition(c, c.req.valid('param').id, service.resolve))
  .openapi(routes.release, async (c) => transition(c, c.req.valid('param').id, service.release))
  .openapi(routes.reply, async (c) => {
    const ctx = handoffContextOf(c);
    const conversation = await operatorConversation(ctx.db, c.req.valid('param').id);
    const message = await service.reply(ctx, await operatorOf(c), conversation, c.req.valid('json').text);
    return c.json({ message }, 201);
  });

async function transition(c: Context<AppEnv>, id: string, move: typeof service.claim) {
  const ctx = handoffContextOf(c);
  const conversation = await operatorConversation(ctx.db, id);
  const moved = await move(ctx, await operatorOf(c), conversation);
  return c.json({ conversation: toConversationView(moved), item: await inboxItem(ctx.db, moved.id) }, 200);
}
