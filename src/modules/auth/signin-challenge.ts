import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type SigninChallengeKind, signinChallenges } from '../../db/schema';
import { generateOpaqueToken, sha256Hex } from '../../lib/opaque-token';

/** How long an `mfaToken` lives: long enough to open an authenticator app, short enough to be useless later. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Wrong codes one challenge takes before it dies (each also counts towards the lockout). */
export const CHALLENGE_MAX_ATTEMPTS = 5;

export type Challenge = { id: string; userId: string; client: string };

/** Starts the second step of a sign-in; returns the `mfaToken` (only its SHA-256 is stored). */
export async function createChallenge(
  db: Db,
  userId: string,
  kind: SigninChallengeKind,
  client: string,
): Promise<string> {
  const token = generateOpaqueToken();
  const now = Date.now();
  await db.batch([
    // A user's spent and expired challenges are of no further use.
    db
      .delete(signinChallenges)
      .where(and(eq(signinChallenges.userId, userId), lt(signinChallenges.expiresAt, new Date(now)))),
    db.insert(signinChallenges).values({
      id: crypto.randomUUID(),
      tokenHash: await sha256Hex(token),
      userId,
      kind,
      client,
      expiresAt: new Date(now + CHALLENGE_TTL_MS),
    }),
  ]);
  return token;
}

/** The live challenge this token names, of this kind. */
export async function findChallenge(db: Db, token: string, kind: SigninChallengeKind): Promise<Challenge | undefined> {
  const [row] = await db
    .select({ id: signinChallenges.id, userId: signinChallenges.userId, client: signinChallenges.client })
    .from(signinChallenges)
    .where(
      and(
        eq(signinChallenges.tokenHash, await sha256Hex(token)),
        eq(signinChallenges.kind, kind),
        isNull(signinChallenges.usedAt),
        gt(signinChallenges.expiresAt, new Date()),
        lt(signinChallenges.attempts, CHALLENGE_MAX_ATTEMPTS),
      ),
    )
    .limit(1);
  return row;
}

/** Spends the challenge; of two concurrent completions exactly one gets `true`. */
export async function consumeChallenge(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(signinChallenges)
    .set({ usedAt: new Date() })
    .where(and(eq(signinChallenges.id, id), isNull(signinChallenges.usedAt)))
    .returning({ id: signinChallenges.id });
  return rows.length === 1;
}

/** One more wrong code; at the cap the challenge is dead and the sign-in starts again from the password. */
export async function countChallengeFailure(db: Db, id: string): Promise<void> {
  await db
    .update(signinChallenges)
    .set({ attempts: sql`${signinChallenges.attempts} + 1` })
    .where(eq(signinChallenges.id, id));
}
