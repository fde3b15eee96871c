import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { testBindings } from './test/bindings';

// `npm run test:upstash`: the rate-limit contract against the Upstash backend, through a local
// bridge to a real redis-server (test/upstash/global-setup.mjs starts both). Needs redis-server.
export default defineConfig(async () => {
  const bindings = await testBindings();
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            ...bindings,
            UPSTASH_REDIS_REST_URL: inject<string>('upstashUrl'),
            UPSTASH_REDIS_REST_TOKEN: inject<string>('upstashToken'),
            TEST_UPSTASH_DEAD_URL: inject<string>('upstashDeadUrl'),
          },
        },
      })),
    ],
    test: {
      globalSetup: ['./test/upstash/global-setup.mjs'],
      include: ['test/upstash/**/*.test.ts'],
      setupFiles: ['./test/setup/apply-migrations.ts', './test/upstash/allow-bridge.ts'],
      restoreMocks: true,
      silent: 'passed-only',
    },
  };
});
