import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { conversations, handoffs } from '../../db/schema';
import type { InboxItem } from './handoff.types';

// STAND-IN (h-tool branch): the lead's inbox.service.ts on main replaces this file whole at merge.
export async function inboxItem(db: Db, conversationId: string): Promise<InboxItem | null> {
  const [row] = await db
    .select()
    .from(conversations)
    .leftJoin(handoffs, eq(handoffs.id, conversations.handoffId))
    .where(eq(conversations.id, conversationId));
  if (!row) return null;
  const c = row.conversations;
  const h = row.handoffs;
  return {
    conversationId: c.id,
    title: c.title,
    state: c.state,
    site: null,
    customer: c.userId
      ? { kind: 'account', userId: c.userId, displayName: '', email: '' }
      : { kind: 'guest', visitorId: c.visitorId ?? '', customerId: c.customerId, email: c.customerEmail },
    handoffId: h?.id ?? null,
    trigger: h?.trigger ?? null,
    reason: h?.reason ?? null,
    summary: h?.summary ?? null,
    contactEmail: h?.contactEmail ?? null,
    requestedAt: h?.requestedAt.toISOString() ?? null,
    waitSeconds: null,
    timedOut: h?.timedOutAt != null,
    assignedTo: null,
    claimedAt: h?.claimedAt?.toISOString() ?? null,
    updatedAt: c.updatedAt.toISOString(),
    messageCount: c.messageCount,
  };
}
