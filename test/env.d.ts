import type { D1Migration } from '@cloudflare/vitest-plugin';

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** Set only by vitest.upstash.config.ts (the local Upstash bridge). */
      UPSTASH_REDIS_REST_URL: string;
      UPSTASH_REDIS_REST_TOKEN: string;
      /** A port nothing listens on, for the "Upstash unreachable" tests. */
      TEST_UPSTASH_DEAD_URL: string;
    }
  }
}
