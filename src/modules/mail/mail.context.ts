import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';
import { type Mailer, mailerVia, mailSenderFor } from './mailer';

/** The request's mailer: the configured backend, sending after the response (`waitUntil`). */
export function mailerOf(c: Context<AppEnv>): Mailer {
  const config = c.get('config');
  const ctx = c.executionCtx;
  return mailerVia(mailSenderFor(c.env, dbOf(c), config.mail), (work) => ctx.waitUntil(work), c.get('requestId'));
}
