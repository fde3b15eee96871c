import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// `npm run test:upstash`: the rate-limit contract against the Upstash backend, through a local
// bridge to a real redis-server (test/upstash/global-setup.mjs starts both). Needs redis-server.
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            ENVIRONMENT: 'test',
            TEST_MIGRATIONS: migrations,
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
