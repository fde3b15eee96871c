// `npm run dev`: everything a laptop needs with no accounts and no network —
// vendored assets, local D1 migrated, then `wrangler dev` on 127.0.0.1:$PORT (default 8787).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureDevVars } from './lib/dev-vars.mjs';
import { startFakeDeepSeekUnlessKeyed } from './lib/fake-deepseek-server.mjs';
import { startFakeTurnstile } from './lib/fake-turnstile-server.mjs';
import { root, run, wranglerEnv } from './lib/run.mjs';

const port = process.env.PORT ?? '8787';

await import('./build-assets.mjs');
ensureDevVars();
await run('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local']);
// Without DEEPSEEK_API_KEY, chat answers come from the local fake DeepSeek (canned, and it says so).
await startFakeDeepSeekUnlessKeyed(root);
// Guest sessions verify Turnstile against a local siteverify fake (Cloudflare's test keys).
await startFakeTurnstile();

// Links in mail (verification, reset) must open the page this server serves, whatever the port.
const extra = process.argv.slice(2);
const appUrl = extra.some((arg) => arg.startsWith('PUBLIC_APP_URL:'))
  ? []
  : ['--var', `PUBLIC_APP_URL:http://127.0.0.1:${port}`];
const dev = spawn(
  path.join(root, 'node_modules', '.bin', 'wrangler'),
  // `--var` takes several values: anything positional (a script path) must come before it.
  ['dev', '--ip', '127.0.0.1', '--port', port, ...extra, ...appUrl],
  { cwd: root, stdio: 'inherit', env: wranglerEnv },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));
