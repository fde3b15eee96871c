import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../lib/errors';
import type { AppEnv } from '../lib/types';

const writeMethods = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Every API write takes JSON, except the routes the app factory names as exempt. Refusing other media types up front keeps form posts (the
 * classic CSRF vector) and validator edge cases with non-JSON bodies out of the handlers.
 */
export const requireJson = ({ exempt }: { exempt?: (c: Context<AppEnv>) => boolean } = {}) =>
  createMiddleware<AppEnv>(async function requireJson(c, next) {
    // Exempt routes (uploads) enforce their own media type, and are bearer-only, so no form can post them.
    if (writeMethods.has(c.req.method) && !exempt?.(c)) {
      const type = c.req.header('Content-Type')?.split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') {
        throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
      }
    }
    await next();
  });
