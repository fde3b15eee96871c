import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { dbOf } from '../../lib/db-context';
import { clientIp } from '../../lib/rate-limit/rate-limit.keys';
import type { AppEnv } from '../../lib/types';
import { dummyHash, getPasswordHasher } from './argon2-worker';
import type { AuthDeps, RequestMeta, SignInResult } from './auth.service';

export const REFRESH_COOKIE = 'refresh_token'; // sent as __Secure-refresh_token
const COOKIE_PATH = '/api/v1/auth';

export function requestMeta(c: Context<AppEnv>): RequestMeta {
  return {
    ip: clientIp(c.req.raw.headers, c.get('config').rateLimit.trustXForwardedFor),
    userAgent: c.req.header('User-Agent')?.slice(0, 256) ?? null,
    requestId: c.get('requestId'),
  };
}

/** Everything the auth service needs, taken from the request. */
export async function authDeps(c: Context<AppEnv>): Promise<AuthDeps> {
  const config = c.get('config');
  return {
    db: dbOf(c),
    config,
    hasher: await getPasswordHasher(),
    dummyHash: await dummyHash(config.password.argon2),
    meta: requestMeta(c),
  };
}

export function setRefreshCookie(c: Context<AppEnv>, token: string, expiresAt: Date): void {
  setCookie(c, REFRESH_COOKIE, token, {
    prefix: 'secure',
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    path: COOKIE_PATH,
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)),
  });
}

export const readRefreshCookie = (c: Context<AppEnv>): string | undefined => getCookie(c, REFRESH_COOKIE, 'secure');

export function clearRefreshCookie(c: Context<AppEnv>): void {
  deleteCookie(c, REFRESH_COOKIE, {
    prefix: 'secure',
    secure: true,
    httpOnly: true,
    sameSite: 'Strict',
    path: COOKIE_PATH,
  });
}

/** The answer to a finished first step: tokens (and the refresh cookie), or what the second step needs. */
export function signInBody(c: Context<AppEnv>, result: SignInResult) {
  if (result.kind === 'mfa') {
    return {
      mfaRequired: true as const,
      mfaToken: result.mfaToken,
      methods: ['totp' as const, 'backup_code' as const],
    };
  }
  if (result.kind === 'enroll') return { mfaEnrollmentRequired: true as const, mfaToken: result.mfaToken };
  const { session } = result;
  setRefreshCookie(c, session.refreshToken, session.refreshExpiresAt);
  return { accessToken: session.accessToken, tokenType: 'Bearer' as const, expiresIn: session.expiresIn };
}
