import { createMiddleware } from 'hono/factory';
import { getConfig } from '../config';
import { setLogLevel } from '../lib/logger';
import type { AppEnv } from '../lib/types';

/** Parses `env` (once per isolate) and fails the request with a logged ConfigError if it is unusable. */
export const loadConfig = () =>
  createMiddleware<AppEnv>(async function loadConfig(c, next) {
    const config = getConfig(c.env);
    setLogLevel(config.logLevel);
    c.set('config', config);
    await next();
  });
