import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { sessions } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { AccountChanged } from '../admission/admission.client';
import { audit, auditStatement } from '../audit/audit.service';
import type { RequestMeta } from '../auth/auth.service';
import { endSessions } from '../auth/refresh-token';

/** The caller, their current session (the access token's `sid`) and how to tell their admission object. */
export type SessionActor = {
  db: Db;
  userId: string;
  currentSessionId: string;
  meta: RequestMeta;
  accountChanged: AccountChanged;
};

/** The caller's live sessions (not ended, not past their absolute expiry), newest first. */
export async function listSessions(db: Db, userId: string, currentSessionId: string) {
  const now = new Date();
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.endedAt), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.createdAt), desc(sessions.id));
  return rows.map((row) => ({
    id: row.id,
    userAgent: row.userAgent,
    ipPrefix: row.ipPrefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt.toISOString(),
    current: row.id === currentSessionId,
  }));
}

const noSuchSession = () => new AppError(404, 'NOT_FOUND', 'No such session.');

/** Ends one of the caller's sessions. Someone else's, an unknown or an already ended one is a 404 alike. */
export async function endMySession(sessionId: string, { db, userId, meta, accountChanged }: SessionActor) {
  const ended = await endSessions(db, userId, { only: sessionId });
  if (ended.length === 0) throw noSuchSession();
  await accountChanged(userId);
  await audit(db, {
    action: 'session_end',
    outcome: 'success',
    actorId: userId,
    targetId: userId,
    detail: { sessionId },
    ...meta,
  });
}

/** Ends every session of the caller except the one they are calling from; returns how many ended. */
export async function endMyOtherSessions({ db, userId, currentSessionId, meta, accountChanged }: SessionActor) {
  const ended = await endSessions(db, userId, { except: currentSessionId });
  if (ended.length > 0) {
    await accountChanged(userId);
    const [first, ...rest] = ended.map((sessionId) =>
      auditStatement(db, {
        action: 'session_end',
        outcome: 'success',
        actorId: userId,
        targetId: userId,
        detail: { sessionId, scope: 'others' },
        ...meta,
      }),
    );
    if (first) await db.batch([first, ...rest]);
  }
  return { ended: ended.length };
}
