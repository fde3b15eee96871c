import { env } from 'cloudflare:workers';
import { beforeEach, vi } from 'vitest';

// Captured before any spy: the one way out of the sandbox in this suite.
const realFetch = globalThis.fetch;
const allowed = new Set([new URL(env.UPSTASH_REDIS_REST_URL).origin, new URL(env.TEST_UPSTASH_DEAD_URL).origin]);

// As test/setup/no-network.ts, except that the local Upstash bridge (and the deliberately dead
// port next to it) may be reached: everything else still fails the test.
beforeEach(() => {
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (allowed.has(url.origin)) return realFetch(input, init);
    throw new Error(`Unexpected outbound fetch in a test: ${url}`);
  });
});
