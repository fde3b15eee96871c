import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { refreshTokens, sessions } from '../../db/schema';
import { generateOpaqueToken, sha256Hex } from '../../lib/opaque-token';

export const generateRefreshToken = (): string => generateOpaqueToken();

export const hashToken = sha256Hex;

/** What a session records about where it started (see `sessionOrigin`). */
export type SessionOrigin = { userAgent: string | null; ipPrefix: string | null };

/** Starts a new family (one login, one `sessions` row) and returns its first token. */
export async function issueRefreshToken(
  db: Db,
  userId: string,
  ttlMs: number,
  origin: SessionOrigin,
): Promise<{ token: string; familyId: string; expiresAt: Date }> {
  const token = generateRefreshToken();
  const familyId = crypto.randomUUID();
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.batch([
    db.insert(sessions).values({ id: familyId, userId, expiresAt, ...origin }),
    db.insert(refreshTokens).values({
      id: crypto.randomUUID(),
      userId,
      familyId,
      tokenHash: await hashToken(token),
      expiresAt,
    }),
  ]);
  return { token, familyId, expiresAt };
}

export type RotationResult =
  | { outcome: 'rotated'; userId: string; familyId: string; token: string; expiresAt: Date }
  | { outcome: 'reused'; userId: string; familyId: string }
  | { outcome: 'invalid' };

/**
 * Exchanges a refresh token for its successor. The conditional UPDATE is the lock: of two concurrent
 * calls with the same token exactly one matches the `used_at IS NULL` row. The claim, the successor
 * and the session's `last_used_at` are one batch (one transaction): a session ended meanwhile either
 * refuses the claim or revokes the successor too, never leaves a live token behind.
 * A token that was already rotated is a replay (stolen or leaked), so its whole family dies.
 */
export async function rotateRefreshToken(db: Db, presented: string): Promise<RotationResult> {
  const tokenHash = await hashToken(presented);
  const now = new Date();
  const nextId = crypto.randomUUID();
  const token = generateRefreshToken();
  const nextHash = await hashToken(token);
  const claimedBy = sql`${refreshTokens.tokenHash} = ${tokenHash} AND ${refreshTokens.replacedBy} = ${nextId}`;
  const [[claimed]] = await db.batch([
    db
      .update(refreshTokens)
      .set({ usedAt: now, replacedBy: nextId })
      .where(
        and(
          eq(refreshTokens.tokenHash, tokenHash),
          isNull(refreshTokens.usedAt),
          isNull(refreshTokens.revokedAt),
          gt(refreshTokens.expiresAt, now),
        ),
      )
      .returning({
        userId: refreshTokens.userId,
        familyId: refreshTokens.familyId,
        expiresAt: refreshTokens.expiresAt,
      }),
    // The successor keeps the family's absolute expiry: rotation never extends a session.
    db.insert(refreshTokens).select(
      db
        .select({
          id: sql<string>`${nextId}`.as('id'),
          userId: refreshTokens.userId,
          familyId: refreshTokens.familyId,
          tokenHash: sql<string>`${nextHash}`.as('token_hash'),
          expiresAt: refreshTokens.expiresAt,
          // Insert-select needs every column, in the table's order.
          usedAt: sql<null>`NULL`.as('used_at'),
          replacedBy: sql<null>`NULL`.as('replaced_by'),
          revokedAt: sql<null>`NULL`.as('revoked_at'),
          createdAt: sql<number>`${now.getTime()}`.as('created_at'),
        })
        .from(refreshTokens)
        .where(claimedBy),
    ),
    db
      .update(sessions)
      .set({ lastUsedAt: now })
      .where(eq(sessions.id, sql`(SELECT family_id FROM ${refreshTokens} WHERE ${claimedBy})`)),
  ]);
  if (claimed) return { outcome: 'rotated', token, ...claimed };

  const [known] = await db
    .select({ userId: refreshTokens.userId, familyId: refreshTokens.familyId, usedAt: refreshTokens.usedAt })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  if (known?.usedAt) {
    await endSessions(db, known.userId, { only: known.familyId });
    return { outcome: 'reused', userId: known.userId, familyId: known.familyId };
  }
  return { outcome: 'invalid' };
}

/** Which of a user's sessions to end: one, or all (optionally sparing the caller's own). */
export type SessionScope = { only: string } | { except?: string | undefined };

/**
 * Ends sessions of one user: their refresh tokens are revoked (which admission reads to refuse the
 * sessions' access tokens) and their rows marked ended, in one batch. Returns the ids of the sessions
 * that were live. Callers must then tell the user's admission object (`AccountChanged`).
 */
export async function endSessions(db: Db, userId: string, scope: SessionScope): Promise<string[]> {
  const now = new Date();
  const family =
    'only' in scope
      ? eq(refreshTokens.familyId, scope.only)
      : scope.except
        ? ne(refreshTokens.familyId, scope.except)
        : undefined;
  const session =
    'only' in scope ? eq(sessions.id, scope.only) : scope.except ? ne(sessions.id, scope.except) : undefined;
  const [, ended] = await db.batch([
    db
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt), family)),
    db
      .update(sessions)
      .set({ endedAt: now })
      .where(and(eq(sessions.userId, userId), isNull(sessions.endedAt), gt(sessions.expiresAt, now), session))
      .returning({ id: sessions.id }),
  ]);
  return ended.map((row) => row.id);
}

/** The family a presented token belongs to, if it is still live (for logout and "keep this session"). */
export async function findLiveFamily(
  db: Db,
  presented: string,
): Promise<{ familyId: string; userId: string } | undefined> {
  const [row] = await db
    .select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId })
    .from(refreshTokens)
    .where(
      and(
        eq(refreshTokens.tokenHash, await hashToken(presented)),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, new Date()),
      ),
    )
    .limit(1);
  return row;
}
