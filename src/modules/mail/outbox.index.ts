import type { Context } from 'hono';
import { createRouter } from '../../lib/create-router';
import { dbOf } from '../../lib/db-context';
import { AppError } from '../../lib/errors';
import type { AppEnv } from '../../lib/types';
import { readDevOutbox } from './outbox.routes';
import { readOutbox } from './outbox.sender';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Development only, by two independent checks: the configured stage and the host the request was
 * sent to. A staging deployment that forgot to set ENVIRONMENT still fails the second.
 */
export function outboxVisible(c: Context<AppEnv>): boolean {
  return c.get('config').environment === 'development' && LOOPBACK.has(new URL(c.req.url).hostname);
}

export const outboxRouter = createRouter().openapi(readDevOutbox, async (c) => {
  if (!outboxVisible(c)) throw new AppError(404, 'NOT_FOUND', 'The requested resource was not found.');
  return c.json({ messages: await readOutbox(dbOf(c)) }, 200);
});
