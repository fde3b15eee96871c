import { and, eq, gt } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { sites, visitors } from '../../db/schema';
import { AppError } from '../../lib/errors';
import { signAccessToken } from '../auth/access-token';
import { generateRefreshToken, hashToken } from '../auth/refresh-token';
import { type SiteSettings, siteSettings } from '../site-settings/site-settings';
import { type SignedIdentity, verifiedCustomer } from './identity';
import type { TurnstileVerifier } from './turnstile/turnstile.types';

export type GuestDeps = {
  db: Db;
  config: Config;
  turnstile: TurnstileVerifier;
  /** Where the request came in: the frame runs there, so Turnstile reports this hostname by default. */
  serviceHostname: string;
  remoteIp: string;
};

export type GuestSession = {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  visitorId: string;
  visitorExpiresAt: string;
  identified: boolean;
};

const siteNotFound = () => new AppError(404, 'SITE_NOT_FOUND', 'This chat is not set up for this website.');
const guestChatOff = () =>
  new AppError(403, 'GUEST_CHAT_DISABLED', 'Chat without an account is turned off on this website.');
const visitorInvalid = () =>
  new AppError(401, 'VISITOR_TOKEN_INVALID', 'This chat session has ended. Start a new one.');

async function openSite(db: Db, siteId: string): Promise<SiteSettings> {
  const site = await siteSettings(db, siteId);
  if (!site) throw siteNotFound();
  if (!site.guestChat) throw guestChatOff();
  return site;
}

async function identitySecretOf(db: Db, siteId: string): Promise<string | undefined> {
  const [row] = await db.select({ secret: sites.identitySecret }).from(sites).where(eq(sites.id, siteId)).limit(1);
  return row?.secret;
}

async function guestToken(
  deps: GuestDeps,
  site: SiteSettings,
  visitorId: string,
  identity: SignedIdentity | undefined,
) {
  const secret = identity ? await identitySecretOf(deps.db, site.id) : undefined;
  const customer = secret ? await verifiedCustomer(secret, identity) : undefined;
  const { auth } = deps.config;
  const accessToken = await signAccessToken(
    { sub: visitorId, role: 'guest', tv: 0, sid: visitorId, site: site.id, ...(customer ? { customer } : {}) },
    auth,
  );
  return { accessToken, tokenType: 'Bearer' as const, expiresIn: auth.accessTokenTtlSeconds, identified: !!customer };
}

/**
 * A new visitor: their site allows guests, Turnstile says they are a person (verified on the server,
 * against the hostname and action configured), then a visitor row with only the hash of its token.
 */
export async function startGuestSession(
  deps: GuestDeps,
  input: { siteId: string; turnstileToken: string; identity?: SignedIdentity | undefined },
): Promise<GuestSession & { visitorToken: string }> {
  const site = await openSite(deps.db, input.siteId);
  const { turnstile } = deps.config.guest;
  const outcome = await deps.turnstile.verify({
    token: input.turnstileToken,
    remoteIp: deps.remoteIp,
    expectedHostnames: turnstile.expectedHostnames.length ? turnstile.expectedHostnames : [deps.serviceHostname],
    expectedAction: turnstile.action,
  });
  if (!outcome.ok) {
    if (outcome.reason === 'unavailable' || outcome.reason === 'misconfigured') {
      throw new AppError(503, 'TURNSTILE_UNAVAILABLE', 'The bot check is not answering. Try again in a minute.', {
        headers: { 'Retry-After': '30' },
      });
    }
    throw new AppError(403, 'TURNSTILE_FAILED', 'The bot check did not pass. Reload the chat and try again.', {
      cause: new Error(`turnstile refused: ${outcome.reason}`),
    });
  }
  const visitorId = crypto.randomUUID();
  const visitorToken = `vt_${generateRefreshToken()}`;
  const expiresAt = new Date(Date.now() + deps.config.guest.visitorTtlMs);
  await deps.db
    .insert(visitors)
    .values({ id: visitorId, siteId: site.id, tokenHash: await hashToken(visitorToken), expiresAt });
  const token = await guestToken(deps, site, visitorId, input.identity);
  return { ...token, visitorId, visitorToken, visitorExpiresAt: expiresAt.toISOString() };
}

/** A returning visitor: their long-lived token (until its absolute expiry) buys a new access token. */
export async function renewGuestSession(
  deps: GuestDeps,
  input: { visitorToken: string; identity?: SignedIdentity | undefined },
): Promise<GuestSession> {
  const now = new Date();
  const [visitor] = await deps.db
    .update(visitors)
    .set({ lastSeenAt: now })
    .where(and(eq(visitors.tokenHash, await hashToken(input.visitorToken)), gt(visitors.expiresAt, now)))
    .returning({ id: visitors.id, siteId: visitors.siteId, expiresAt: visitors.expiresAt });
  if (!visitor) throw visitorInvalid();
  const site = await openSite(deps.db, visitor.siteId);
  const token = await guestToken(deps, site, visitor.id, input.identity);
  return { ...token, visitorId: visitor.id, visitorExpiresAt: visitor.expiresAt.toISOString() };
}
