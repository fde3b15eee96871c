import { createMiddleware } from 'hono/factory';
import { AppError } from '../lib/errors';
import type { AppEnv } from '../lib/types';

/**
 * Guards the endpoints a browser authenticates with a cookie (refresh, logout). SameSite=Strict
 * already keeps the cookie off cross-site requests; this is the second lock, because Hono's
 * `csrf()` skips JSON requests. A JSON content type forces a CORS preflight from other sites, and
 * the Origin must be ours or on the allow-list — a missing or `null` Origin is refused.
 */
export const requireTrustedOrigin = () =>
  createMiddleware<AppEnv>(async function requireTrustedOrigin(c, next) {
    const type = c.req.header('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    const origin = c.req.header('Origin');
    const allowed = c.get('config').corsOrigins;
    const trusted =
      origin !== undefined &&
      origin !== 'null' &&
      (origin === new URL(c.req.url).origin || (allowed !== '*' && allowed.has(origin)));
    if (type !== 'application/json' || !trusted) {
      throw new AppError(403, 'CSRF_REJECTED', 'This request must come from an allowed origin with a JSON body.');
    }
    await next();
  });
