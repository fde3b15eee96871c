import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { refreshTokens } from '../../db/schema';

/** 32 random bytes, base64url: unguessable, and useless to whoever reads the database (only its hash is kept). */
export function generateRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Starts a new family (one login) and returns its first token. */
export async function issueRefreshToken(
  db: Db,
  userId: string,
  ttlMs: number,
): Promise<{ token: string; familyId: string; expiresAt: Date }> {
  const token = generateRefreshToken();
  const familyId = crypto.randomUUID();
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.insert(refreshTokens).values({
    id: crypto.randomUUID(),
    userId,
    familyId,
    tokenHash: await hashToken(token),
    expiresAt,
  });
  return { token, familyId, expiresAt };
}

export type RotationResult =
  | { outcome: 'rotated'; userId: string; familyId: string; token: string; expiresAt: Date }
  | { outcome: 'reused'; userId: string; familyId: string }
  | { outcome: 'invalid' };

/**
 * Exchanges a refresh token for its successor. The single conditional UPDATE is the lock:
 * of two concurrent calls with the same token exactly one matches the `used_at IS NULL` row.
 * A token that was already rotated is a replay (stolen or leaked), so its whole family dies.
 */
export async function rotateRefreshToken(db: Db, presented: string): Promise<RotationResult> {
  const tokenHash = await hashToken(presented);
  const now = new Date();
  const nextId = crypto.randomUUID();
  const [claimed] = await db
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
    .returning({ userId: refreshTokens.userId, familyId: refreshTokens.familyId, expiresAt: refreshTokens.expiresAt });

  if (claimed) {
    const token = generateRefreshToken();
    // The successor keeps the family's absolute expiry: rotation never extends a session.
    await db.insert(refreshTokens).values({
      id: nextId,
      userId: claimed.userId,
      familyId: claimed.familyId,
      tokenHash: await hashToken(token),
      expiresAt: claimed.expiresAt,
    });
    return { outcome: 'rotated', token, ...claimed };
  }

  const [known] = await db
    .select({ userId: refreshTokens.userId, familyId: refreshTokens.familyId, usedAt: refreshTokens.usedAt })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  if (known?.usedAt) {
    await revokeFamily(db, known.familyId);
    return { outcome: 'reused', userId: known.userId, familyId: known.familyId };
  }
  return { outcome: 'invalid' };
}

export async function revokeFamily(db: Db, familyId: string): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/** Revokes every session of a user, optionally sparing one family (the caller's own). */
export async function revokeUserFamilies(db: Db, userId: string, exceptFamilyId?: string): Promise<void> {
  await db
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
        exceptFamilyId ? sql`${refreshTokens.familyId} <> ${exceptFamilyId}` : undefined,
      ),
    );
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
