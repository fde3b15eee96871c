import type { RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../../lib/types';
import { VERSION } from '../../version';
import type { health } from './health.routes';

export const getHealth: RouteHandler<typeof health, AppEnv> = (c) =>
  c.json({ status: 'ok' as const, version: VERSION }, 200);
