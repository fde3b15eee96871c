import type { RouteHandler } from '@hono/zod-openapi';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';
import { accountChangedVia } from '../admission/admission.client';
import { publicJwks } from './access-token';
import { authDeps, clearRefreshCookie, readRefreshCookie, requestMeta, setRefreshCookie } from './auth.context';
import type { jwks, login, logout, refresh, register } from './auth.routes';
import {
  logout as logoutSession,
  refreshSession,
  registerUser,
  sessionExpired,
  startSession,
  verifyCredentials,
} from './auth.service';

export const registerHandler: RouteHandler<typeof register, AppEnv> = async (c) => {
  const user = await registerUser(c.req.valid('json'), await authDeps(c));
  return c.json({ user }, 201);
};

export const loginHandler: RouteHandler<typeof login, AppEnv> = async (c) => {
  const { email, password } = c.req.valid('json');
  const deps = await authDeps(c);
  const user = await verifyCredentials(email, password, deps);
  const session = await startSession(user, deps);
  setRefreshCookie(c, session.refreshToken, session.refreshExpiresAt);
  return c.json({ accessToken: session.accessToken, tokenType: 'Bearer' as const, expiresIn: session.expiresIn }, 200);
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
