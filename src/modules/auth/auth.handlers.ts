import type { RouteHandler } from '@hono/zod-openapi';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';
import { withinLimit } from '../../middleware/rate-limit';
import { issueAccountToken } from '../account-tokens/account-tokens';
import { accountChangedVia } from '../admission/admission.client';
import { audit } from '../audit/audit.service';
import { mailerOf } from '../mail/mail.context';
import { appLink, renderMail } from '../mail/mail.templates';
import { publicJwks } from './access-token';
import {
  authDeps,
  clearRefreshCookie,
  readRefreshCookie,
  requestMeta,
  setRefreshCookie,
  signInBody,
} from './auth.context';
import type { jwks, login, logout, refresh } from './auth.routes';
import {
  completeSignIn,
  invalidCredentials,
  logout as logoutSession,
  refreshSession,
  sessionExpired,
  verifyCredentials,
} from './auth.service';

export const loginHandler: RouteHandler<typeof login, AppEnv> = async (c) => {
  const { email, password } = c.req.valid('json');
  const deps = await authDeps(c);
  const { user, linkRequired } = await verifyCredentials(email, password, deps);
  if (linkRequired) {
    // Only the mailbox owner gets past this; the caller hears what every failure hears.
    if (await withinLimit(c, 'mailAddress', user.email)) {
      const config = c.get('config');
      const token = await issueAccountToken(deps.db, user.id, 'signin_link');
      const link = appLink(config.mail, `signin-link/${token}`);
      mailerOf(c)(renderMail('signinLink', user.email, config.mail, { link, minutes: 15 }), 'signin_link');
      await audit(deps.db, { action: 'signin_link_sent', outcome: 'success', targetId: user.id, ...deps.meta });
    }
    throw invalidCredentials();
  }
  return c.json(signInBody(c, await completeSignIn(user, deps)), 200);
};

export const refreshHandler: RouteHandler<typeof refresh, AppEnv> = async (c) => {
  const presented = readRefreshCookie(c);
  try {
    if (!presented) throw sessionExpired();
    const session = await refreshSession(presented, {
      db: dbOf(c),
      config: c.get('config'),
      meta: requestMeta(c),
      accountChanged: accountChangedVia(c.env.ADMISSION, c.get('requestId')),
    });
    setRefreshCookie(c, session.refreshToken, session.refreshExpiresAt);
    return c.json(
      { accessToken: session.accessToken, tokenType: 'Bearer' as const, expiresIn: session.expiresIn },
      200,
    );
  } catch (error) {
    clearRefreshCookie(c);
    throw error;
  }
};

export const logoutHandler: RouteHandler<typeof logout, AppEnv> = async (c) => {
  const presented = readRefreshCookie(c);
  if (presented) {
    await logoutSession(presented, {
      db: dbOf(c),
      meta: requestMeta(c),
      accountChanged: accountChangedVia(c.env.ADMISSION, c.get('requestId')),
    });
  }
  clearRefreshCookie(c);
  return c.body(null, 204);
};

export const jwksHandler: RouteHandler<typeof jwks, AppEnv> = (c) => {
  // Public and rarely changing: let verifiers cache it briefly (rotation keeps old keys listed meanwhile).
  c.header('Cache-Control', 'public, max-age=300');
  return c.json(publicJwks(c.get('config').auth.jwks) as { keys: Record<string, string>[] }, 200);
};
