import { z } from 'zod';
import { int, parseSection } from '../../lib/config-schema';

export const apiKeyEnvSchema = z.object({
  // How long an isolate reuses a verified key's row instead of reading D1; admission refuses an
  // out-of-date copy at once, so this only bounds changes made around the API (SQL console).
  API_KEY_CACHE_SECONDS: int(0, 300).default(30),
  API_KEY_USAGE_FLUSH_SECONDS: int(1, 3600).default(30),
  API_KEY_MAX_PER_USER: int(1, 1000).default(20),
  API_KEY_DEFAULT_REQUESTS_PER_MINUTE: int(1, 100_000).default(60),
});

export type ApiKeyConfig = {
  /** `sk_live_` in production, `sk_test_` elsewhere. */
  live: boolean;
  cacheMs: number;
  usageFlushMs: number;
  maxPerUser: number;
  defaultRequestsPerMinute: number;
};

export function parseApiKeyConfig(env: Record<string, unknown>, isProduction: boolean): ApiKeyConfig {
  const vars = parseSection(apiKeyEnvSchema, env);
  return {
    live: isProduction,
    cacheMs: vars.API_KEY_CACHE_SECONDS * 1000,
    usageFlushMs: vars.API_KEY_USAGE_FLUSH_SECONDS * 1000,
    maxPerUser: vars.API_KEY_MAX_PER_USER,
    defaultRequestsPerMinute: vars.API_KEY_DEFAULT_REQUESTS_PER_MINUTE,
  };
}
