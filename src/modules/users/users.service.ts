import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { type Role, type User, users } from '../../db/schema';
import { AppError } from '../../lib/errors';
import { isUniqueViolation } from '../../lib/sql-errors';
import { usernameUnavailable } from '../accounts/username-holds';
import type { AccountChanged } from '../admission/admission.client';
import { audit } from '../audit/audit.service';
import { accessTokenFor, assertPasswordAllowed, type RequestMeta } from '../auth/auth.service';
import { clientKey, pairLocked, recordFailedLogin, unlockAllStatements } from '../auth/lockout';
import type { PasswordHasher } from '../auth/password-hasher';
import { endSessions } from '../auth/refresh-token';
import { toPublicUser } from '../auth/user-view';

const notFound = () => new AppError(404, 'NOT_FOUND', 'No such user.');

export async function getUser(db: Db, id: string) {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  if (!user) throw notFound();
  return toPublicUser(user);
}

export async function updateProfile(db: Db, id: string, patch: { fullName?: string | null; username?: string }) {
  if (patch.username && (await usernameUnavailable(db, patch.username, id))) {
    throw new AppError(409, 'USERNAME_TAKEN', 'This username is taken. Choose another.');
  }
  let user: User | undefined;
  try {
    [user] = await db.update(users).set(patch).where(eq(users.id, id)).returning();
  } catch (error) {
    // Two renames to one name at once: the unique index decides, and the loser hears why.
    if (isUniqueViolation(error)) throw new AppError(409, 'USERNAME_TAKEN', 'This username is taken. Choose another.');
    throw error;
  }
  if (!user) throw notFound();
  return toPublicUser(user);
}

type PasswordChange = {
  db: Db;
  config: Config;
  hasher: PasswordHasher;
  meta: RequestMeta;
  accountChanged: AccountChanged;
  userId: string;
  /** The caller's own session (refresh family, from the access token's `sid`) survives; every other one ends. */
  keepFamilyId: string;
};

/**
 * Requires the current password. Ends every other session (revoked families are what admission refuses
 * at once) and leaves the caller's own session and its tokens valid: the token version is not bumped,
 * since that would also end the very session the change was made from.
 */
export async function changePassword(current: string, next: string, ctx: PasswordChange) {
  const { db, config, hasher, meta, userId } = ctx;
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw notFound();
  // Wrong guesses here count towards the same lockout as logins: a stolen access token must not
  // become an unlimited password oracle.
  const matches = hasher.verify(user.passwordHash, current);
  const locked = await pairLocked(db, userId, clientKey(meta.ip));
  if (locked || !matches) {
    if (!locked) await recordFailedLogin(userId, { db, config, meta }, 'password_change');
    throw new AppError(
      400,
      'INVALID_CURRENT_PASSWORD',
      'The current password is incorrect, or the account is temporarily locked.',
    );
  }
  await assertPasswordAllowed(next, user, config);
  if (current === next)
    throw new AppError(400, 'PASSWORD_UNCHANGED', 'Choose a password different from the current one.');
  const [updated] = await db
    .update(users)
    .set({ passwordHash: hasher.hash(next, config.password.argon2) })
    .where(eq(users.id, userId))
    .returning();
  if (!updated) throw notFound();
  const ended = await endSessions(db, userId, { except: ctx.keepFamilyId });
  await ctx.accountChanged(userId);
  await audit(db, {
    action: 'password_change',
    outcome: 'success',
    actorId: userId,
    targetId: userId,
    detail: { sessionsEnded: ended.length },
    ...meta,
  });
  return accessTokenFor(updated, ctx.keepFamilyId, config);
}

export async function listUsers(db: Db, query: { page: number; pageSize: number; role?: Role | undefined }) {
  const where = query.role ? eq(users.role, query.role) : undefined;
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(users)
      .where(where)
      .orderBy(desc(users.createdAt), users.id)
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    db.select({ value: count() }).from(users).where(where),
  ]);
  return {
    items: rows.map((u) => toPublicUser(u)),
    page: query.page,
    pageSize: query.pageSize,
    total: total?.value ?? 0,
  };
}

/** `accountChanged` tells the target's admission object after a change that must end their current access tokens. */
type AdminAction = { db: Db; actorId: string; meta: RequestMeta; accountChanged: AccountChanged };

/**
 * True unless `targetId` is the last active admin. Used inside UPDATE/DELETE conditions so the
 * check and the change are one statement: two admins demoting each other cannot both succeed.
 */
const notLastAdmin = (targetId: string) =>
  sql`(${users.role} <> 'admin' OR (SELECT count(*) FROM users WHERE role = 'admin' AND is_active = 1 AND id <> ${targetId}) > 0)`;

async function requireExisting(db: Db, id: string) {
  const [user] = await db.select({ id: users.id, role: users.role }).from(users).where(eq(users.id, id)).limit(1);
  if (!user) throw notFound();
  return user;
}

const lastAdmin = () =>
  new AppError(409, 'LAST_ADMIN', 'The last active admin cannot be demoted, deactivated or deleted.');

export async function changeRole(targetId: string, role: Role, { db, actorId, meta, accountChanged }: AdminAction) {
  const before = await requireExisting(db, targetId);
  const guard = role === 'admin' ? undefined : notLastAdmin(targetId);
  const [user] = await db
    .update(users)
    .set({ role, tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(and(eq(users.id, targetId), guard))
    .returning();
  if (!user) throw lastAdmin();
  await accountChanged(targetId);
  await audit(db, {
    action: 'role_change',
    outcome: 'success',
    actorId,
    targetId,
    detail: { from: before.role, to: role },
    ...meta,
  });
  return toPublicUser(user);
}

export async function setActive(
  targetId: string,
  isActive: boolean,
  { db, actorId, meta, accountChanged }: AdminAction,
) {
  if (targetId === actorId && !isActive)
    throw new AppError(409, 'CANNOT_DEACTIVATE_SELF', 'You cannot deactivate your own account.');
  await requireExisting(db, targetId);
  const [user] = await db
    .update(users)
    .set({ isActive, tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(and(eq(users.id, targetId), isActive ? undefined : notLastAdmin(targetId)))
    .returning();
  if (!user) throw lastAdmin();
  if (!isActive) await endSessions(db, targetId, {});
  await accountChanged(targetId);
  await audit(db, { action: 'status_change', outcome: 'success', actorId, targetId, detail: { isActive }, ...meta });
  return toPublicUser(user);
}

/** Lifts every lockout of the account: each client's and the account-wide one. */
export async function unlockUser(targetId: string, { db, actorId, meta }: AdminAction) {
  const [, , [user]] = await db.batch([
    ...unlockAllStatements(db, targetId),
    db.select().from(users).where(eq(users.id, targetId)).limit(1),
  ]);
  if (!user) throw notFound();
  await audit(db, { action: 'unlock', outcome: 'success', actorId, targetId, ...meta });
  return toPublicUser(user);
}

/** Deletes the account; its refresh tokens go with it (ON DELETE CASCADE), and so do its access tokens (no row). */
export async function deleteUser(targetId: string, { db, actorId, meta, accountChanged }: AdminAction) {
  if (targetId === actorId) throw new AppError(409, 'CANNOT_DELETE_SELF', 'You cannot delete your own account.');
  await requireExisting(db, targetId);
  const [deleted] = await db
    .delete(users)
    .where(and(eq(users.id, targetId), notLastAdmin(targetId)))
    .returning({ id: users.id });
  if (!deleted) throw lastAdmin();
  await accountChanged(targetId);
  await audit(db, { action: 'user_delete', outcome: 'success', actorId, targetId, ...meta });
}
