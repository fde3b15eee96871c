import type { z } from '@hono/zod-openapi';
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type Conversation, conversations, type Site, sites } from '../../db/schema';
import { AppError } from '../../lib/errors';
import { pageOfConversations, recentMessages, toMessageView } from '../conversations/conversations.service';
import { forgetSite } from '../site-settings/site-settings';
import type { CreateSiteSchema, UpdateSiteSchema } from './sites.schemas';

type CreateSite = z.infer<typeof CreateSiteSchema>;
type UpdateSite = z.infer<typeof UpdateSiteSchema>;

const notFound = () => new AppError(404, 'NOT_FOUND', 'No such site.');

/** 32 random bytes, base64url: the HMAC key a site's server signs identities with. */
export function newIdentitySecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `sis_${btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')}`;
}

/** A page served over http can be rewritten in transit, widget included: production sites are https. */
export function checkOrigins(origins: readonly string[] | undefined, isProduction: boolean): void {
  const plain = isProduction ? origins?.find((origin) => origin.startsWith('http:')) : undefined;
  if (plain) throw new AppError(400, 'INSECURE_ORIGIN', `${plain} must use https.`);
}

export async function createSite(db: Db, input: CreateSite, createdBy: string) {
  const identitySecret = newIdentitySecret();
  const [row] = await db
    .insert(sites)
    .values({
      ...input,
      greeting: input.greeting ?? null,
      accentColor: input.accentColor ?? null,
      identitySecret,
      createdBy,
    })
    .returning();
  if (!row) throw new Error('site insert returned no row');
  return { row, identitySecret };
}

export async function listSites(db: Db): Promise<Site[]> {
  return db.select().from(sites).orderBy(desc(sites.createdAt), sites.id);
}

export async function getSite(db: Db, id: string): Promise<Site> {
  const [row] = await db.select().from(sites).where(eq(sites.id, id)).limit(1);
  if (!row) throw notFound();
  return row;
}

export async function updateSite(db: Db, id: string, input: UpdateSite): Promise<Site> {
  const [row] = await db.update(sites).set(input).where(eq(sites.id, id)).returning();
  if (!row) throw notFound();
  forgetSite(id);
  return row;
}

export async function rotateIdentitySecret(db: Db, id: string): Promise<{ row: Site; identitySecret: string }> {
  const identitySecret = newIdentitySecret();
  const [row] = await db.update(sites).set({ identitySecret }).where(eq(sites.id, id)).returning();
  if (!row) throw notFound();
  return { row, identitySecret };
}

/** Deletes the site with its visitors and their conversations (foreign-key cascades). */
export async function deleteSite(db: Db, id: string): Promise<void> {
  const deleted = await db.delete(sites).where(eq(sites.id, id)).returning({ id: sites.id });
  if (deleted.length === 0) throw notFound();
  forgetSite(id);
}

const toGuestConversationView = (c: Conversation) => ({
  id: c.id,
  siteId: c.siteId as string,
  visitorId: c.visitorId as string,
  customer: c.customerId && c.customerEmail ? { id: c.customerId, email: c.customerEmail } : null,
  title: c.title,
  messageCount: c.messageCount,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

/** The operator view: every guest conversation of a site, newest first, with its visitor and identity. */
export async function listGuestConversations(db: Db, siteId: string, page: number, pageSize: number) {
  await getSite(db, siteId);
  const where = and(eq(conversations.siteId, siteId), isNotNull(conversations.visitorId));
  const { rows, total } = await pageOfConversations(db, where, page, pageSize);
  return { items: rows.map(toGuestConversationView), page, pageSize, total };
}

export async function getGuestConversation(db: Db, siteId: string, conversationId: string, limit: number) {
  const [row] = await db
    .select()
    .from(conversations)
    .where(
      and(eq(conversations.id, conversationId), eq(conversations.siteId, siteId), isNotNull(conversations.visitorId)),
    )
    .limit(1);
  if (!row) throw new AppError(404, 'NOT_FOUND', 'No such conversation.');
  const messages = await recentMessages(db, row.id, limit);
  return { conversation: toGuestConversationView(row), messages: messages.map(toMessageView) };
}
