import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';
import { withinLimit } from '../../middleware/rate-limit';
import { ACCOUNT_TOKEN_TTL_MS, issueAccountToken } from '../account-tokens/account-tokens';
import { accountChangedVia } from '../admission/admission.client';
import { audit } from '../audit/audit.service';
import { authDeps, requestMeta, signInBody } from '../auth/auth.context';
import { completeSignIn } from '../auth/auth.service';
import { mailerOf } from '../mail/mail.context';
import { appLink, renderMail } from '../mail/mail.templates';
import type * as routes from './accounts.routes';
import * as service from './accounts.service';

const CHECK_EMAIL = 'Check your email: if the address can receive mail from us, a message is on its way.';

const accountDeps = (c: Context<AppEnv>) => ({
  db: dbOf(c),
  meta: requestMeta(c),
  accountChanged: accountChangedVia(c.env.ADMISSION, c.get('requestId')),
});

/** Mails a fresh verification link (older ones die). Counted per address first: no mail bombing. */
async function sendVerification(c: Context<AppEnv>, user: { id: string; email: string }) {
  if (!(await withinLimit(c, 'mailAddress', user.email))) return;
  const { mail } = c.get('config');
  const db = dbOf(c);
  const token = await issueAccountToken(db, user.id, 'verify_email');
  const hours = ACCOUNT_TOKEN_TTL_MS.verify_email / 3_600_000;
  mailerOf(c)(renderMail('verifyEmail', user.email, mail, { link: appLink(mail, `verify/${token}`), hours }), 'verify');
  await audit(db, { action: 'email_verification_sent', outcome: 'success', targetId: user.id, ...requestMeta(c) });
}

export const register: RouteHandler<typeof routes.register, AppEnv> = async (c) => {
  const result = await service.registerAccount(c.req.valid('json'), await authDeps(c));
  if (result.kind === 'created') {
    await sendVerification(c, result.user);
  } else if (await withinLimit(c, 'mailAddress', result.user.email)) {
    const { mail } = c.get('config');
    mailerOf(c)(
      renderMail('signupExisting', result.user.email, mail, { link: appLink(mail, 'forgot') }),
      'signup_existing',
    );
  }
  return c.json({ message: 'Check your email to confirm your address and finish signing up.' }, 202);
};

export const verifyEmail: RouteHandler<typeof routes.verifyEmail, AppEnv> = async (c) => {
  await service.verifyEmail(c.req.valid('json').token, accountDeps(c));
  return c.json({ message: 'Your email address is confirmed.' }, 200);
};

export const resendVerification: RouteHandler<typeof routes.resendVerification, AppEnv> = async (c) => {
  const user = await service.findByEmail(dbOf(c), c.req.valid('json').email);
  if (user && !user.emailVerifiedAt && user.isActive) await sendVerification(c, user);
  return c.json({ message: CHECK_EMAIL }, 202);
};

export const forgotPassword: RouteHandler<typeof routes.forgotPassword, AppEnv> = async (c) => {
  const db = dbOf(c);
  const user = await service.findByEmail(db, c.req.valid('json').email);
  if (user?.isActive && (await withinLimit(c, 'mailAddress', user.email))) {
    const { mail } = c.get('config');
    const token = await issueAccountToken(db, user.id, 'reset_password');
    const minutes = ACCOUNT_TOKEN_TTL_MS.reset_password / 60_000;
    mailerOf(c)(
      renderMail('resetPassword', user.email, mail, { link: appLink(mail, `reset/${token}`), minutes }),
      'reset',
    );
    await audit(db, { action: 'password_reset_request', outcome: 'success', targetId: user.id, ...requestMeta(c) });
  }
  return c.json({ message: CHECK_EMAIL }, 202);
};

export const resetPassword: RouteHandler<typeof routes.resetPassword, AppEnv> = async (c) => {
  const { token, newPassword } = c.req.valid('json');
  const deps = await authDeps(c);
  const user = await service.resetPassword(token, newPassword, {
    ...deps,
    accountChanged: accountDeps(c).accountChanged,
  });
  const { mail } = c.get('config');
  mailerOf(c)(renderMail('passwordChanged', user.email, mail, { link: appLink(mail, 'forgot') }), 'password_changed');
  return c.json({ message: 'Your password is changed. Sign in with it.' }, 200);
};

export const signinLink: RouteHandler<typeof routes.signinLink, AppEnv> = async (c) => {
  const deps = await authDeps(c);
  const user = await service.useSigninLink(c.req.valid('json').token, deps);
  return c.json(signInBody(c, await completeSignIn(user, deps, 'link')), 200);
};
