import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import { errorDetail } from '../../lib/error-detail';
import { AppError } from '../../lib/errors';
import { log } from '../../lib/logger';
import type { AppEnv } from '../../lib/types';
import { admissionOf, keyChangedVia } from '../admission/admission.client';
import { requestMeta } from '../auth/auth.context';
import { currentAccount, currentUser } from '../auth/authenticate';
import { utcDay } from '../chat/usage.service';
import type * as routes from './api-keys.routes';
import * as service from './api-keys.service';

const actor = (c: Context<AppEnv>): service.KeyActor => {
  const { id, role } = currentAccount(c);
  return {
    db: dbOf(c),
    config: c.get('config'),
    user: { id, role },
    meta: requestMeta(c),
    keyChanged: keyChangedVia(c.env.ADMISSION, c.get('requestId')),
  };
};

/** Usage gathers in the owner's admission object; write it out first so the listing shows today's figures. */
async function flushUsage(c: Context<AppEnv>, userId: string): Promise<void> {
  try {
    await admissionOf(c.env.ADMISSION, userId).flushUsage();
  } catch (error) {
    // The listing still answers, with the figures last written.
    log('warn', 'api key usage not flushed before listing', { requestId: c.get('requestId'), ...errorDetail(error) });
  }
}

export const createKey: RouteHandler<typeof routes.createKey, AppEnv> = async (c) =>
  c.json(await service.createKey(c.req.valid('json'), actor(c)), 201);

export const listKeys: RouteHandler<typeof routes.listKeys, AppEnv> = async (c) => {
  const { id } = currentUser(c);
  await flushUsage(c, id);
  return c.json(await service.listOwnKeys(dbOf(c), id), 200);
};

export const getKey: RouteHandler<typeof routes.getKey, AppEnv> = async (c) =>
  c.json({ apiKey: await service.getKey(dbOf(c), c.req.valid('param').id, currentAccount(c)) }, 200);

export const updateKey: RouteHandler<typeof routes.updateKey, AppEnv> = async (c) =>
  c.json({ apiKey: await service.updateKey(c.req.valid('param').id, c.req.valid('json'), actor(c)) }, 200);

export const deleteKey: RouteHandler<typeof routes.deleteKey, AppEnv> = async (c) => {
  await service.revokeKey(c.req.valid('param').id, actor(c));
  return c.body(null, 204);
};

export const rotateKey: RouteHandler<typeof routes.rotateKey, AppEnv> = async (c) =>
  c.json(await service.rotateKey(c.req.valid('param').id, c.req.valid('json').graceSeconds, actor(c)), 200);

export const listAllKeys: RouteHandler<typeof routes.listAllKeys, AppEnv> = async (c) =>
  c.json(await service.listAllKeys(dbOf(c), c.req.valid('query')), 200);

export const currentKey: RouteHandler<typeof routes.currentKey, AppEnv> = async (c) => {
  const user = currentUser(c);
  if (!user.apiKey) {
    throw new AppError(400, 'API_KEY_REQUIRED', 'This describes the API key you call it with. Send an API key.');
  }
  const day = utcDay();
  const [row, status] = await Promise.all([
    service.keyRow(dbOf(c), user.apiKey.id),
    admissionOf(c.env.ADMISSION, user.id).keyStatus(user.apiKey.id, day),
  ]);
  const budget = row.dailyTokenBudget;
  return c.json(
    {
      data: {
        id: row.id,
        label: `${row.prefix}…${row.last4}`,
        name: row.name,
        scopes: row.scopes,
        models: row.models ?? null,
        limit: budget,
        usage: status.tokensUsed,
        limit_remaining: budget === null ? null : Math.max(0, budget - status.tokensUsed - status.tokensReserved),
        limit_reset: 'daily' as const,
        rate_limit: { requests: row.requestsPerMinute, interval: '1m' as const },
        tokens_per_minute: row.tokensPerMinute,
        max_concurrent_streams: row.maxConcurrentStreams,
        active_streams: status.activeStreams,
        expires_at: row.expiresAt?.toISOString() ?? null,
      },
    },
    200,
  );
};
