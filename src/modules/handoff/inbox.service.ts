import { and, asc, desc, eq, gt, isNotNull, ne, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client';
import { conversations, handoffs, sites, users } from '../../db/schema';
import type { CustomerView, InboxItem, OperatorView } from './handoff.types';

const customers = alias(users, 'customer');
const operators = alias(users, 'operator');

/** The most each inbox list returns; an inbox with more waiting than this has bigger problems than paging. */
const LIST_LIMIT = 100;
/** Guest conversations the bot is still answering are listed for take-over while this recent. */
const ACTIVE_WINDOW_MS = 60 * 60 * 1000;

export const displayNameOf = (user: { fullName: string | null; username: string }) => user.fullName || user.username;

function itemsQuery(db: Db, where: SQL | undefined) {
  return db
    .select({
      conversation: conversations,
      handoff: handoffs,
      site: { id: sites.id, name: sites.name },
      customer: {
        id: customers.id,
        fullName: customers.fullName,
        username: customers.username,
        email: customers.email,
      },
      operator: { id: operators.id, fullName: operators.fullName, username: operators.username, role: operators.role },
    })
    .from(conversations)
    .leftJoin(handoffs, eq(handoffs.id, conversations.handoffId))
    .leftJoin(sites, eq(sites.id, conversations.siteId))
    .leftJoin(customers, eq(customers.id, conversations.userId))
    .leftJoin(operators, eq(operators.id, conversations.assignedTo))
    .where(where);
}

type ItemRow = Awaited<ReturnType<typeof itemsQuery>>[number];

function toItem(row: ItemRow, now: number): InboxItem {
  const { conversation: c, handoff: h, site, customer, operator } = row;
  const customerView: CustomerView =
    c.visitorId !== null
      ? { kind: 'guest', visitorId: c.visitorId, customerId: c.customerId, email: c.customerEmail }
      : {
          kind: 'account',
          userId: c.userId ?? '',
          displayName: customer ? displayNameOf(customer) : 'Deleted account',
          email: customer?.email ?? '',
        };
  const assignedTo: OperatorView | null =
    operator && c.state === 'with_operator'
      ? { id: operator.id, displayName: displayNameOf(operator), role: operator.role }
      : null;
  return {
    conversationId: c.id,
    title: c.title,
    state: c.state,
    site: site?.id ? { id: site.id, name: site.name } : null,
    customer: customerView,
    handoffId: h?.id ?? null,
    trigger: h?.trigger ?? null,
    reason: h?.reason ?? null,
    summary: h?.summary ?? null,
    contactEmail: h?.contactEmail ?? null,
    requestedAt: h?.requestedAt.toISOString() ?? null,
    waitSeconds: c.state === 'waiting' && h ? Math.max(0, Math.floor((now - h.requestedAt.getTime()) / 1000)) : null,
    timedOut: h?.timedOutAt != null,
    assignedTo,
    claimedAt: h?.claimedAt?.toISOString() ?? null,
    updatedAt: c.updatedAt.toISOString(),
    messageCount: c.messageCount,
  };
}

/** One conversation as the inbox shows it (whatever its state), or null if it is gone. */
export async function inboxItem(db: Db, conversationId: string): Promise<InboxItem | null> {
  const [row] = await itemsQuery(db, eq(conversations.id, conversationId)).limit(1);
  return row ? toItem(row, Date.now()) : null;
}

/**
 * The operator's inbox: conversations waiting for a person (longest wait first), the ones this operator
 * holds, the ones other operators hold (who is handling what), and guest conversations the assistant is
 * answering right now, which an operator may take over.
 */
export async function inboxLists(db: Db, operatorId: string) {
  const now = Date.now();
  const [waiting, mine, others, active] = await Promise.all([
    itemsQuery(db, eq(conversations.state, 'waiting')).orderBy(asc(handoffs.requestedAt)).limit(LIST_LIMIT),
    itemsQuery(db, and(eq(conversations.state, 'with_operator'), eq(conversations.assignedTo, operatorId)))
      .orderBy(desc(conversations.updatedAt))
      .limit(LIST_LIMIT),
    itemsQuery(db, and(eq(conversations.state, 'with_operator'), ne(conversations.assignedTo, operatorId)))
      .orderBy(desc(conversations.updatedAt))
      .limit(LIST_LIMIT),
    itemsQuery(
      db,
      and(
        eq(conversations.state, 'bot'),
        isNotNull(conversations.visitorId),
        gt(conversations.updatedAt, new Date(now - ACTIVE_WINDOW_MS)),
      ),
    )
      .orderBy(desc(conversations.updatedAt))
      .limit(LIST_LIMIT),
  ]);
  const item = (row: ItemRow) => toItem(row, now);
  return { waiting: waiting.map(item), mine: mine.map(item), others: others.map(item), active: active.map(item) };
}
