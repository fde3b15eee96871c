import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from './errors';
import type { AppEnv } from './types';

/**
 * Every feature module builds its routes on this router so that request validation
 * fails the same way everywhere: a 400 in the standard envelope, details outside production.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const details = result.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }));
      throw new AppError(400, 'VALIDATION_ERROR', 'The request is not valid.', { details });
    },
  });
}
