import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../lib/errors';
import type { AppEnv } from '../lib/types';

const limiters = new Map<number, MiddlewareHandler>();

/**
 * Refuses bodies over `MAX_BODY_BYTES` with 413, by Content-Length or while streaming. Exempt routes
 * (uploads, named in the app factory) must cap their own bodies while they stream.
 */
export const limitBodySize = ({ exempt }: { exempt?: (c: Context<AppEnv>) => boolean } = {}) =>
  createMiddleware<AppEnv>(async function limitBodySize(c, next) {
    if (exempt?.(c)) return next();
    const max = c.get('config').maxBodyBytes;
    let limiter = limiters.get(max);
    if (!limiter) {
      limiter = bodyLimit({
        maxSize: max,
        onError: () => {
          throw new AppError(413, 'PAYLOAD_TOO_LARGE', `The request body must be at most ${max} bytes.`);
        },
      });
      limiters.set(max, limiter);
    }
    return limiter(c, next);
  });
