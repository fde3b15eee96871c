import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from './errors';
import type { AppEnv } from './types';

/**
 * Every feature module builds its routes on this router so that request validation
 * fails the same way everywhere: a 400 in the standard envelope, details outside production.
 * An identified caller is admitted first (on chat turns the route has not done so yet), so an
 * invalid request still counts against their limits and a refused caller hears 401/429, not 400.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: async (result, c) => {
      if (result.success) return;
      await c.get('admit')?.();
      const details = result.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }));
      throw new AppError(400, 'VALIDATION_ERROR', 'The request is not valid.', { details });
    },
  });
}
