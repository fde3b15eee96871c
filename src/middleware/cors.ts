import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { Config } from '../config';
import type { AppEnv } from '../lib/types';

const allowHeaders = ['Content-Type', 'Authorization', 'X-Request-ID'];
const exposeHeaders = [
  'X-Request-ID',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

/**
 * CORS from the configured allow-list. An unlisted origin (including `null`) gets no
 * `Access-Control-Allow-*` grant at all, so the browser withholds the response; credentials
 * are granted only alongside an exact origin match, never with `*`.
 */
function buildCors(origins: Config['corsOrigins']): MiddlewareHandler<AppEnv> {
  if (origins === '*') {
    return cors({ origin: '*', allowHeaders, exposeHeaders, maxAge: 600 });
  }
  const allowed = cors({
    origin: (origin) => (origins.has(origin) ? origin : null),
    credentials: true,
    allowHeaders,
    exposeHeaders,
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    maxAge: 600,
  });
  return createMiddleware<AppEnv>(async function corsPolicy(c, next) {
    const preflight = await allowed(c, next);
    if (preflight instanceof Response) c.res = preflight;
    // hono/cors sends Allow-Credentials even when it refused the origin; take it back.
    if (!c.res.headers.has('Access-Control-Allow-Origin')) {
      c.res.headers.delete('Access-Control-Allow-Credentials');
      c.res.headers.delete('Access-Control-Allow-Methods');
      c.res.headers.delete('Access-Control-Allow-Headers');
      c.res.headers.delete('Access-Control-Expose-Headers');
    }
  });
}

const built = new WeakMap<Config, MiddlewareHandler<AppEnv>>();

/** Applies the CORS policy of the request's config (built once per config). */
export const corsPolicy = () =>
  createMiddleware<AppEnv>(async function corsPolicy(c, next) {
    const config = c.get('config');
    let handler = built.get(config);
    if (!handler) {
      handler = buildCors(config.corsOrigins);
      built.set(config, handler);
    }
    return handler(c, next);
  });
