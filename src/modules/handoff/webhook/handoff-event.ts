import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { conversations, type HANDOFF_TRIGGERS, handoffs, sites, users } from '../../../db/schema';
import type { MailConfig } from '../../mail/mail.config';
import { appLink } from '../../mail/mail.templates';

/** Who asked for a person. Identity fields only: no password hash, token or secret ever reaches a receiver. */
export type HandoffCustomer =
  | { type: 'account'; id: string; name: string }
  | {
      type: 'guest';
      visitorId: string;
      /** The identity the site's own server signed for this visitor, if it did. */
      identity: { id: string | null; email: string | null } | null;
    };

/** The body of a `handoff.requested` delivery (JSON). `id` is the handoff id: receivers dedupe by it. */
export type HandoffEvent = {
  id: string;
  event: 'handoff.requested';
  occurredAt: string;
  conversation: { id: string; title: string; url: string };
  trigger: (typeof HANDOFF_TRIGGERS)[number];
  reason: string | null;
  contactEmail: string | null;
  site: { id: string; name: string } | null;
  customer: HandoffCustomer;
  summary: string | null;
};

/** The event for one handoff as D1 holds it now, or undefined when the handoff is gone. */
export async function handoffEvent(db: Db, mail: MailConfig, handoffId: string): Promise<HandoffEvent | undefined> {
  const [row] = await db
    .select({
      handoff: {
        id: handoffs.id,
        trigger: handoffs.trigger,
        reason: handoffs.reason,
        contactEmail: handoffs.contactEmail,
        requestedAt: handoffs.requestedAt,
      },
      conversation: {
        id: conversations.id,
        title: conversations.title,
        userId: conversations.userId,
        visitorId: conversations.visitorId,
        customerId: conversations.customerId,
        customerEmail: conversations.customerEmail,
      },
      siteId: sites.id,
      siteName: sites.name,
      userFullName: users.fullName,
      username: users.username,
    })
    .from(handoffs)
    .innerJoin(conversations, eq(conversations.id, handoffs.conversationId))
    .leftJoin(sites, eq(sites.id, conversations.siteId))
    .leftJoin(users, eq(users.id, conversations.userId))
    .where(eq(handoffs.id, handoffId))
    .limit(1);
  if (!row) return undefined;
  const { handoff, conversation } = row;
  return {
    id: handoff.id,
    event: 'handoff.requested',
    occurredAt: handoff.requestedAt.toISOString(),
    conversation: {
      id: conversation.id,
      title: conversation.title,
      url: appLink(mail, `inbox/${conversation.id}`),
    },
    trigger: handoff.trigger,
    reason: handoff.reason,
    contactEmail: handoff.contactEmail,
    site: row.siteId && row.siteName !== null ? { id: row.siteId, name: row.siteName } : null,
    customer: customerOf(conversation, row.userFullName ?? row.username),
    // The model-written summary arrives later than the event; operators read it in the inbox.
    summary: null,
  };
}

function customerOf(
  conversation: {
    userId: string | null;
    visitorId: string | null;
    customerId: string | null;
    customerEmail: string | null;
  },
  accountName: string | null,
): HandoffCustomer {
  if (conversation.userId) return { type: 'account', id: conversation.userId, name: accountName ?? '' };
  const signed = conversation.customerId !== null || conversation.customerEmail !== null;
  return {
    type: 'guest',
    visitorId: conversation.visitorId ?? '',
    identity: signed ? { id: conversation.customerId, email: conversation.customerEmail } : null,
  };
}
