import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { testBindings } from './test/bindings';

export default defineConfig(async () => {
  const bindings = await testBindings();
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings,
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
