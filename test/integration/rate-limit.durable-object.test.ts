import { env } from 'cloudflare:workers';
import { DurableObjectRateLimiter } from '../../src/lib/rate-limit/durable-object.limiter';
import { httpRateLimitContract } from '../contract/http-rate-limit.contract';
import { rateLimiterContract } from '../contract/rate-limiter.contract';
import { upstashFallbackContract } from '../contract/upstash-fallback.contract';

// The zero-setup backend: what `npm run dev` and this suite's worker use without Upstash settings.
rateLimiterContract(() => new DurableObjectRateLimiter(env.RATE_LIMITER));
httpRateLimitContract();
// Outbound fetch fails here (test/setup/no-network.ts), exactly like an unreachable host.
upstashFallbackContract(() => 'http://127.0.0.1:1');
