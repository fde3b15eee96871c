import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type AccountTokenPurpose, accountTokens } from '../../db/schema';
import { generateOpaqueToken, sha256Hex } from '../../lib/opaque-token';

/** How long each kind of mailed link lives. */
export const ACCOUNT_TOKEN_TTL_MS: Record<AccountTokenPurpose, number> = {
  verify_email: 24 * 60 * 60 * 1000,
  reset_password: 30 * 60 * 1000,
  signin_link: 15 * 60 * 1000,
};

/**
 * A new single-use link for the user; older unused links of the same purpose die in the same batch
 * (only the newest mail works: the older rows are deleted). Returns the token for the link; only its SHA-256 is stored.
 */
export async function issueAccountToken(db: Db, userId: string, purpose: AccountTokenPurpose): Promise<string> {
  const token = generateOpaqueToken();
  const now = Date.now();
  await db.batch([
    db.delete(accountTokens).where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose))),
    db.insert(accountTokens).values({
      id: crypto.randomUUID(),
      userId,
      purpose,
      tokenHash: await sha256Hex(token),
      expiresAt: new Date(now + ACCOUNT_TOKEN_TTL_MS[purpose]),
    }),
  ]);
  return token;
}

/** The user a live (unused, unexpired) link belongs to, without spending it. */
export async function peekAccountToken(db: Db, token: string, purpose: AccountTokenPurpose) {
  const [row] = await db
    .select({ userId: accountTokens.userId })
    .from(accountTokens)
    .where(live(await sha256Hex(token), purpose))
    .limit(1);
  return row?.userId;
}

/** Spends the link: of two concurrent uses exactly one gets the user id (one conditional UPDATE). */
export async function consumeAccountToken(
  db: Db,
  token: string,
  purpose: AccountTokenPurpose,
): Promise<string | undefined> {
  const [row] = await db
    .update(accountTokens)
    .set({ usedAt: new Date() })
    .where(live(await sha256Hex(token), purpose))
    .returning({ userId: accountTokens.userId });
  return row?.userId;
}

const live = (tokenHash: string, purpose: AccountTokenPurpose) =>
  and(
    eq(accountTokens.tokenHash, tokenHash),
    eq(accountTokens.purpose, purpose),
    isNull(accountTokens.usedAt),
    gt(accountTokens.expiresAt, new Date()),
  );
