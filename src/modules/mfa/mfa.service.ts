import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { mfaBackupCodes, type User, users } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { AccountChanged } from '../admission/admission.client';
import { audit, auditStatement } from '../audit/audit.service';
import type { RequestMeta } from '../auth/auth.service';
import { recordFailedLogin } from '../auth/lockout';
import type { PasswordHasher } from '../auth/password-hasher';
import { endSessions } from '../auth/refresh-token';
import { looksLikeBackupCode, replaceBackupCodes, useBackupCode } from './backup-codes';
import { openSecret, sealSecret } from './secret-box';
import { matchingStep, newTotpSecret, otpauthUri } from './totp';

export type MfaDeps = { db: Db; config: Config; meta: RequestMeta };
export type MfaMethod = 'totp' | 'backup_code';

export const invalidCode = () =>
  new AppError(
    400,
    'INVALID_MFA_CODE',
    'That code is not valid. Use the current code from your app or an unused backup code.',
  );

const notFound = () => new AppError(404, 'NOT_FOUND', 'No such user.');

export async function loadUser(db: Db, userId: string): Promise<User> {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw notFound();
  return user;
}

/** A new secret, kept pending (sealed) until a code from it confirms the app has it. */
export async function setupTotp(user: User, deps: MfaDeps) {
  if (user.mfaEnabledAt) throw new AppError(409, 'MFA_ALREADY_ENABLED', 'Two-factor authentication is already on.');
  const secret = newTotpSecret();
  const sealed = await sealSecret(secret, user.id, deps.config.auth.mfaKeys);
  await deps.db.batch([
    deps.db.update(users).set({ mfaPendingSecret: sealed }).where(eq(users.id, user.id)),
    auditStatement(deps.db, {
      action: 'mfa_setup',
      outcome: 'success',
      actorId: user.id,
      targetId: user.id,
      ...deps.meta,
    }),
  ]);
  return { secret, otpauthUri: otpauthUri(secret, user.email, deps.config.mail.productName) };
}

/** Confirms the pending secret with a current code; returns the backup codes (shown once). */
export async function enableTotp(user: User, code: string, deps: MfaDeps): Promise<string[]> {
  const { db, config, meta } = deps;
  if (user.mfaEnabledAt) throw new AppError(409, 'MFA_ALREADY_ENABLED', 'Two-factor authentication is already on.');
  if (!user.mfaPendingSecret) {
    throw new AppError(409, 'MFA_SETUP_REQUIRED', 'Start the setup first: it gives you the secret for your app.');
  }
  const { secret } = await openSecret(user.mfaPendingSecret, user.id, config.auth.mfaKeys);
  const step = matchingStep(secret, code);
  if (step === undefined) throw invalidCode();
  const enabled = await db
    .update(users)
    .set({
      mfaSecret: user.mfaPendingSecret,
      mfaPendingSecret: null,
      mfaEnabledAt: new Date(),
      mfaLastStep: step,
    })
    .where(and(eq(users.id, user.id), isNull(users.mfaEnabledAt), eq(users.mfaPendingSecret, user.mfaPendingSecret)))
    .returning({ id: users.id });
  if (enabled.length !== 1) throw new AppError(409, 'MFA_ALREADY_ENABLED', 'Two-factor authentication is already on.');
  const codes = await replaceBackupCodes(db, user.id);
  await audit(db, { action: 'mfa_enable', outcome: 'success', actorId: user.id, targetId: user.id, ...meta });
  return codes;
}

/**
 * Checks a second-factor code: a TOTP code is accepted once (its time step must be later than the last
 * accepted one, claimed with one conditional UPDATE, so a replay or a concurrent double use fails); a
 * backup code is spent. A secret sealed under an older key is sealed again under the current one.
 */
export async function checkSecondFactor(user: User, code: string, deps: MfaDeps): Promise<MfaMethod | undefined> {
  const { db, config } = deps;
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed) && user.mfaSecret) {
    const { secret, stale } = await openSecret(user.mfaSecret, user.id, config.auth.mfaKeys);
    const step = matchingStep(secret, trimmed);
    if (step === undefined) return undefined;
    const claimed = await db
      .update(users)
      .set({ mfaLastStep: step })
      .where(and(eq(users.id, user.id), or(isNull(users.mfaLastStep), lt(users.mfaLastStep, step))))
      .returning({ id: users.id });
    if (claimed.length !== 1) return undefined;
    if (stale) {
      const resealed = await sealSecret(secret, user.id, config.auth.mfaKeys);
      await db.update(users).set({ mfaSecret: resealed }).where(eq(users.id, user.id));
    }
    return 'totp';
  }
  if (looksLikeBackupCode(trimmed) && (await useBackupCode(db, user.id, trimmed))) return 'backup_code';
  return undefined;
}

/** For a signed-in caller: a wrong code counts towards this client's lockout like a wrong password. */
async function requireSecondFactor(user: User, code: string, deps: MfaDeps): Promise<MfaMethod> {
  if (!user.mfaEnabledAt) throw new AppError(409, 'MFA_NOT_ENABLED', 'Two-factor authentication is off.');
  const method = await checkSecondFactor(user, code, deps);
  if (!method) {
    await recordFailedLogin(user.id, deps, 'mfa_verify');
    throw invalidCode();
  }
  return method;
}

export async function regenerateBackupCodes(user: User, code: string, deps: MfaDeps): Promise<string[]> {
  const method = await requireSecondFactor(user, code, deps);
  const codes = await replaceBackupCodes(deps.db, user.id);
  await audit(deps.db, {
    action: 'mfa_backup_codes',
    outcome: 'success',
    actorId: user.id,
    targetId: user.id,
    detail: { method },
    ...deps.meta,
  });
  return codes;
}

const clearMfa = (db: Db, userId: string) =>
  [
    db
      .update(users)
      .set({ mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null })
      .where(eq(users.id, userId)),
    db.delete(mfaBackupCodes).where(eq(mfaBackupCodes.userId, userId)),
  ] as const;

/** Needs the password and a current code; an account whose role must have 2FA cannot turn it off. */
export async function disableTotp(
  user: User,
  password: string,
  code: string,
  deps: MfaDeps & { hasher: PasswordHasher },
): Promise<void> {
  if (!deps.hasher.verify(user.passwordHash, password)) {
    await recordFailedLogin(user.id, deps, 'mfa_verify');
    throw new AppError(400, 'INVALID_CURRENT_PASSWORD', 'The password is incorrect.');
  }
  await requireSecondFactor(user, code, deps);
  if (deps.config.auth.mfaRequiredRoles.has(user.role)) {
    throw new AppError(
      409,
      'MFA_REQUIRED_FOR_ROLE',
      `Accounts with the ${user.role} role must keep two-factor sign-in on.`,
    );
  }
  await deps.db.batch([
    ...clearMfa(deps.db, user.id),
    auditStatement(deps.db, {
      action: 'mfa_disable',
      outcome: 'success',
      actorId: user.id,
      targetId: user.id,
      ...deps.meta,
    }),
  ]);
}

/** An admin turns 2FA off for someone who lost their device: audited, and their sessions end. */
export async function resetMfa(
  targetId: string,
  { db, meta, actorId, accountChanged }: { db: Db; meta: RequestMeta; actorId: string; accountChanged: AccountChanged },
): Promise<User> {
  const user = await loadUser(db, targetId);
  await db.batch([
    ...clearMfa(db, targetId),
    // A changed second factor is a changed credential: tokens minted before it stop working.
    db
      .update(users)
      .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, targetId)),
  ]);
  const ended = await endSessions(db, targetId, {});
  await accountChanged(targetId);
  await audit(db, {
    action: 'mfa_reset',
    outcome: 'success',
    actorId,
    targetId,
    detail: { hadMfa: user.mfaEnabledAt !== null, sessionsEnded: ended.length },
    ...meta,
  });
  return user;
}
