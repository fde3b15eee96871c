import { eq, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type ApiKeyScope, apiKeys, type Role, users } from '../../db/schema';

/** A key row as authentication needs it, with the owner's role at the time it was read. */
export type KeyCredential = {
  id: string;
  userId: string;
  ownerRole: Role;
  scopes: readonly ApiKeyScope[];
  models: readonly string[] | null;
  version: number;
  requestsPerMinute: number;
  tokensPerMinute: number | null;
  maxConcurrentStreams: number | null;
  dailyTokenBudget: number | null;
  expiresAt: number | null;
  revoked: boolean;
  /** Set when the presented secret is the previous one: it works until this instant (rotation grace). */
  previousUntil?: number | undefined;
};

/** Why a found key does not authenticate (all answered with the same 401; `expired` is also audited). */
export type KeyVerdict = 'ok' | 'revoked' | 'expired' | 'rotated';

export function judgeKey(key: KeyCredential, now: number): KeyVerdict {
  if (key.revoked) return 'revoked';
  if (key.previousUntil !== undefined && key.previousUntil <= now) return 'rotated';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return 'ok';
}

const MAX_CACHED = 2000;
const cache = new Map<string, { key: KeyCredential; readAt: number }>();

/**
 * The key a secret's hash names, or undefined. Found rows are kept per isolate for `cacheMs`, so a busy
 * key costs no D1 read per request. The copy is never the authority: admission refuses a copy older than
 * the newest version of the key (or read under another owner role), and then it is read again
 * (`forgetKey`). Unknown hashes are not cached (a key created a moment ago must work at once).
 */
export async function lookUpKey(
  db: Db,
  hash: string,
  cacheMs: number,
  now = Date.now(),
): Promise<KeyCredential | undefined> {
  const cached = cache.get(hash);
  if (cached && now - cached.readAt < cacheMs) return cached.key;
  const [row] = await db
    .select({ key: apiKeys, role: users.role })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(or(eq(apiKeys.secretHash, hash), eq(apiKeys.previousSecretHash, hash)))
    .limit(1);
  if (!row) {
    cache.delete(hash);
    return undefined;
  }
  const { key, role } = row;
  const credential: KeyCredential = {
    id: key.id,
    userId: key.userId,
    ownerRole: role,
    scopes: key.scopes,
    models: key.models ?? null,
    version: key.version,
    requestsPerMinute: key.requestsPerMinute,
    tokensPerMinute: key.tokensPerMinute,
    maxConcurrentStreams: key.maxConcurrentStreams,
    dailyTokenBudget: key.dailyTokenBudget,
    expiresAt: key.expiresAt?.getTime() ?? null,
    revoked: key.revokedAt !== null,
    // Found by its previous hash: the old secret of a rotated key (never valid without a deadline).
    ...(key.secretHash === hash ? {} : { previousUntil: key.previousExpiresAt?.getTime() ?? 0 }),
  };
  cache.delete(hash);
  if (cacheMs > 0) {
    cache.set(hash, { key: credential, readAt: now });
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  }
  return credential;
}

/** Drops a copy admission found out of date. */
export function forgetKey(hash: string): void {
  cache.delete(hash);
}
