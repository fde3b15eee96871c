import { createMiddleware } from 'hono/factory';
import { log } from '../lib/logger';
import type { AppEnv } from '../lib/types';

/** One line per request: what was asked, how it ended, how long it took. Never bodies or headers. */
export const accessLog = () =>
  createMiddleware<AppEnv>(async function accessLog(c, next) {
    const started = performance.now();
    await next();
    log('info', 'request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      route: c.req.routePath,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      userId: c.get('userId'),
      apiKeyId: c.get('apiKeyId'),
    });
  });
