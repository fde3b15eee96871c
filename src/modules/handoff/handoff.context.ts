import type { Context } from 'hono';
import type { Config } from '../../config';
import { createDb, type Db } from '../../db/client';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';

/**
 * What handoff work needs, whether it runs for a request, a queue batch or a Durable Object alarm:
 * D1, the bindings (live channels, webhook queue, mail), the configuration and somewhere to put
 * background work.
 */
export type HandoffContext = {
  db: Db;
  env: Env;
  config: Config;
  requestId?: string | undefined;
  waitUntil: (promise: Promise<unknown>) => void;
};

export const handoffContextOf = (c: Context<AppEnv>): HandoffContext => ({
  db: dbOf(c),
  env: c.env,
  config: c.get('config'),
  requestId: c.get('requestId'),
  waitUntil: (promise) => c.executionCtx.waitUntil(promise),
});

/** Outside a request (alarm, queue): background work is whatever the caller awaits or hands to its own waitUntil. */
export const handoffContextFromEnv = (
  env: Env,
  config: Config,
  waitUntil: (promise: Promise<unknown>) => void,
): HandoffContext => ({ db: createDb(env.DB), env, config, waitUntil });
