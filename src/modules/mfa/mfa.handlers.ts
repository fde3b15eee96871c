import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import { AppError } from '../../lib/errors';
import type { AppEnv } from '../../lib/types';
import { accountChangedVia } from '../admission/admission.client';
import { getPasswordHasher } from '../auth/argon2-worker';
import { requestMeta, signInBody } from '../auth/auth.context';
import { finishSignIn } from '../auth/auth.service';
import { currentUser } from '../auth/authenticate';
import { pairLocked, recordFailedLogin } from '../auth/lockout';
import { type Challenge, consumeChallenge, countChallengeFailure, findChallenge } from '../auth/signin-challenge';
import { toPublicUser } from '../auth/user-view';
import { mailerOf } from '../mail/mail.context';
import { appLink, renderMail } from '../mail/mail.templates';
import type * as routes from './mfa.routes';
import * as service from './mfa.service';

const deps = (c: Context<AppEnv>): service.MfaDeps => ({ db: dbOf(c), config: c.get('config'), meta: requestMeta(c) });

const mfaTokenInvalid = () =>
  new AppError(401, 'MFA_TOKEN_INVALID', 'This sign-in has expired or was already used. Sign in again.');

/** The signed-in caller, or the account an enrolment mfaToken names. */
async function enrollingUser(c: Context<AppEnv>, mfaToken: string | undefined) {
  const db = dbOf(c);
  const caller = c.get('user');
  if (caller) return { user: await service.loadUser(db, caller.id), challenge: undefined };
  if (!mfaToken) {
    throw new AppError(401, 'UNAUTHORIZED', 'Authentication is required. Send a valid access token.');
  }
  const challenge = await findChallenge(db, mfaToken, 'enroll');
  if (!challenge) throw mfaTokenInvalid();
  return { user: await service.loadUser(db, challenge.userId), challenge };
}

export const setupTotp: RouteHandler<typeof routes.setupTotp, AppEnv> = async (c) => {
  // The body is optional (a signed-in caller sends none): the validator then leaves nothing behind.
  const body = c.req.valid('json') as { mfaToken?: string | undefined } | undefined;
  const { user } = await enrollingUser(c, body?.mfaToken);
  return c.json(await service.setupTotp(user, deps(c)), 200);
};

export const enableTotp: RouteHandler<typeof routes.enableTotp, AppEnv> = async (c) => {
  const { code, mfaToken } = c.req.valid('json');
  const { user, challenge } = await enrollingUser(c, mfaToken);
  const backupCodes = await service.enableTotp(user, code, deps(c));
  if (!challenge) return c.json({ backupCodes }, 200);
  if (!(await consumeChallenge(dbOf(c), challenge.id))) throw mfaTokenInvalid();
  const session = await finishSignIn(user, deps(c), 'totp_enrolment');
  return c.json({ backupCodes, ...signInBody(c, { kind: 'session', session }) }, 200);
};

export const verifyMfa: RouteHandler<typeof routes.verifyMfa, AppEnv> = async (c) => {
  const { mfaToken, code } = c.req.valid('json');
  const d = deps(c);
  const challenge: Challenge | undefined = await findChallenge(d.db, mfaToken, 'mfa');
  if (!challenge) throw mfaTokenInvalid();
  const user = await service.loadUser(d.db, challenge.userId).catch(() => undefined);
  if (!user?.isActive || !user.mfaEnabledAt || (await pairLocked(d.db, user.id, challenge.client))) {
    throw mfaTokenInvalid();
  }
  const method = await service.checkSecondFactor(user, code, d);
  if (!method) {
    // Wrong codes count where the password was typed: that account-and-client pair locks like it would for passwords.
    await countChallengeFailure(d.db, challenge.id);
    await recordFailedLogin(user.id, d, 'mfa_verify', challenge.client);
    throw new AppError(
      401,
      'INVALID_MFA_CODE',
      'That code is not valid. Use the current code from your app or an unused backup code.',
    );
  }
  if (!(await consumeChallenge(d.db, challenge.id))) throw mfaTokenInvalid();
  const session = await finishSignIn(user, d, method);
  return c.json(
    signInBody(c, { kind: 'session', session }) as { accessToken: string; tokenType: 'Bearer'; expiresIn: number },
    200,
  );
};

export const regenerateBackupCodes: RouteHandler<typeof routes.regenerateBackupCodes, AppEnv> = async (c) => {
  const user = await service.loadUser(dbOf(c), currentUser(c).id);
  return c.json({ backupCodes: await service.regenerateBackupCodes(user, c.req.valid('json').code, deps(c)) }, 200);
};

export const disableTotp: RouteHandler<typeof routes.disableTotp, AppEnv> = async (c) => {
  const { password, code } = c.req.valid('json');
  const user = await service.loadUser(dbOf(c), currentUser(c).id);
  await service.disableTotp(user, password, code, { ...deps(c), hasher: await getPasswordHasher() });
  return c.body(null, 204);
};

export const resetUserMfa: RouteHandler<typeof routes.resetUserMfa, AppEnv> = async (c) => {
  const db = dbOf(c);
  const targetId = c.req.valid('param').id;
  const user = await service.resetMfa(targetId, {
    db,
    meta: requestMeta(c),
    actorId: currentUser(c).id,
    accountChanged: accountChangedVia(c.env.ADMISSION, c.get('requestId')),
  });
  const { mail } = c.get('config');
  mailerOf(c)(renderMail('mfaReset', user.email, mail, { link: appLink(mail, 'login') }), 'mfa_reset');
  return c.json({ user: toPublicUser(await service.loadUser(db, targetId)) }, 200);
};
