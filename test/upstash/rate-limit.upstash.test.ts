import { env } from 'cloudflare:workers';
import { Redis } from '@upstash/redis/cloudflare';
import { expect, it } from 'vitest';
import { UpstashBackend, UpstashRateLimiter } from '../../src/lib/rate-limit/upstash.limiter';
import { httpRateLimitContract } from '../contract/http-rate-limit.contract';
import { rateLimiterContract } from '../contract/rate-limiter.contract';
import { upstashFallbackContract } from '../contract/upstash-fallback.contract';
import { call } from '../helpers/http';
import { uniqueIp } from '../helpers/logs';

const upstash = { url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN };

// One backend for the whole file, as in production (one per isolate): its ephemeral cache is shared.
const backend = new UpstashBackend({ ...upstash, timeoutMs: 2_000 });
rateLimiterContract(() => new UpstashRateLimiter(backend, () => {}));
// The worker in this suite is configured with the bridge, so it limits through Upstash.
httpRateLimitContract();
upstashFallbackContract(() => env.TEST_UPSTASH_DEAD_URL);

it('keeps the worker’s counters in Redis', async () => {
  const redis = new Redis({ ...upstash, enableTelemetry: false });
  const before = (await redis.keys('rl:ip:*')).length;
  await call('/api/v1/health', { headers: { 'CF-Connecting-IP': uniqueIp() } });
  expect((await redis.keys('rl:ip:*')).length).toBe(before + 1);
});
