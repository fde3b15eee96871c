import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import testKeys from './test/fixtures/test-jwks.json' with { type: 'json' };

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // Tests never read .dev.vars (absent in CI): everything they need is here.
          bindings: {
            ENVIRONMENT: 'test',
            JWT_JWKS: JSON.stringify(testKeys.signing),
            TEST_MIGRATIONS: migrations,
          },
        },
      }),
    ],
    test: {
      include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
      setupFiles: ['./test/setup/apply-migrations.ts', './test/setup/no-network.ts'],
      restoreMocks: true,
      // Access-log lines are noise when a test passes and evidence when it fails.
      silent: 'passed-only',
    },
  };
});
