import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { users } from '../../../db/schema';
import { AppError } from '../../../lib/errors';
import { generateOpaqueToken, sha256Hex } from '../../../lib/opaque-token';
import type { AuthUser } from '../../../lib/types';
import { displayNameOf } from '../inbox.service';
import { type LiveChannels, liveChannel } from './live.client';
import type { LivePrincipal } from './live.types';

/** How long a ticket may wait to be used: enough to open a socket right after asking, too short to share. */
export const TICKET_TTL_MS = 30_000;

/** The shape of the tickets we issue (32 random bytes, base64url); anything else is refused unread. */
export const TICKET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export type LiveTicket = { url: string; expiresAt: string; seq: number };

/** A channel and the path its sockets connect to. */
export type LiveTarget = { channel: string; path: string; as: LivePrincipal['as'] };

/**
 * A single-use WebSocket URL for `caller` on `target`, valid TICKET_TTL_MS. Browsers cannot put an
 * Authorization header on a WebSocket, so the ticket rides in the URL; only its SHA-256 is stored, in
 * the channel it opens.
 */
export async function issueLiveTicket(
  db: Db,
  channels: LiveChannels,
  caller: AuthUser,
  target: LiveTarget,
  requestUrl: string,
  now = Date.now(),
): Promise<LiveTicket> {
  refuseApiKeys(caller);
  const principal = await principalOf(db, caller, target.as);
  const ticket = generateOpaqueToken(32);
  const expiresAt = now + TICKET_TTL_MS;
  const seq = await liveChannel(channels, target.channel).issueTicket(await sha256Hex(ticket), {
    principal,
    expiresAt,
  });
  const url = new URL(target.path, requestUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = new URLSearchParams({ ticket }).toString();
  return { url: url.toString(), expiresAt: new Date(expiresAt).toISOString(), seq };
}

/** API keys are for servers, which have no business holding a browser's socket (checked before any lookup). */
export function refuseApiKeys(caller: AuthUser): void {
  if (caller.apiKey) {
    throw new AppError(403, 'FORBIDDEN', 'Live channels are for signed-in browsers; an API key cannot open one.');
  }
}

async function principalOf(db: Db, caller: AuthUser, as: LivePrincipal['as']): Promise<LivePrincipal> {
  const base = { id: caller.id, sessionId: caller.sessionId, tokenVersion: caller.tokenVersion, role: caller.role, as };
  if (caller.role === 'guest') return { kind: 'visitor', ...base };
  if (as !== 'operator') return { kind: 'user', ...base };
  // Customers see an operator's name in typing notices, as in their messages.
  const [row] = await db
    .select({ username: users.username, fullName: users.fullName })
    .from(users)
    .where(eq(users.id, caller.id))
    .limit(1);
  const displayName = row ? displayNameOf(row) : undefined;
  return { kind: 'user', ...base, ...(displayName ? { displayName } : {}) };
}
