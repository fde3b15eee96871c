import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type Site, sites } from '../../db/schema';

/** What guest chat, the widget frame and guest sessions need of a site (never its identity secret). */
export type SiteSettings = {
  id: string;
  name: string;
  allowedOrigins: readonly string[];
  greeting: string | null;
  accentColor: string | null;
  guestChat: boolean;
  limits: {
    messagesPerMinute: number;
    messagesPerDay: number;
    ipMessagesPerDay: number;
    tokensPerDay: number;
  };
};

/**
 * How long an isolate answers from its copy of a site. Edits through the API clear this isolate's
 * copy at once; other isolates see them within this time (a guest limit lowered, guest chat turned
 * off, an origin removed from the list).
 */
export const SITE_CACHE_MS = 30_000;

type Entry = { at: number; site: Promise<SiteSettings | undefined> };

const cache = new Map<string, Entry>();
/** Bounded: site ids in guest tokens are signed, but the frame route takes any id from its URL. */
const MAX_ENTRIES = 1000;

export const toSiteSettings = (row: Site): SiteSettings => ({
  id: row.id,
  name: row.name,
  allowedOrigins: row.allowedOrigins,
  greeting: row.greeting,
  accentColor: row.accentColor,
  guestChat: row.guestChat,
  limits: {
    messagesPerMinute: row.guestMessagesPerMinute,
    messagesPerDay: row.guestMessagesPerDay,
    ipMessagesPerDay: row.guestIpMessagesPerDay,
    tokensPerDay: row.guestTokensPerDay,
  },
});

/** The site, from this isolate's copy when it is fresh; undefined when there is no such site. */
export function siteSettings(db: Db, siteId: string, now = Date.now()): Promise<SiteSettings | undefined> {
  const entry = cache.get(siteId);
  if (entry && now - entry.at < SITE_CACHE_MS) return entry.site;
  const site = db
    .select()
    .from(sites)
    .where(eq(sites.id, siteId))
    .limit(1)
    .then(([row]) => (row ? toSiteSettings(row) : undefined));
  // A failed read is not remembered: the next request tries again.
  site.catch(() => cache.delete(siteId));
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(siteId, { at: now, site });
  return site;
}

/** The site changed or is gone: this isolate reads it again on next use. */
export function forgetSite(siteId: string): void {
  cache.delete(siteId);
}
