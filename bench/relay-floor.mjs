// @ts-check
// `node bench/relay-floor.mjs`: the streaming floor. Starts the fake DeepSeek and the bare relay
// Worker under `wrangler dev`, then measures the same load straight against the fake and through the
// relay. The difference is what workerd + wrangler dev cost before any of our code runs.
// Env: CONCURRENCY (20), REQUESTS (200), TOKEN_DELAY_MS (0), FAKE_DEEPSEEK_PORT and RELAY_PORT (default:
// free ports picked by the OS, so a dev server on 8787/8788 is left alone).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from './lib/processes.mjs';
import { runSseLoad } from './lib/sse-load.mjs';

const root = path.join(import.meta.dirname, '..');
const env = (/** @type {string} */ name, /** @type {number} */ fallback) => Number(process.env[name] ?? fallback);
const concurrency = env('CONCURRENCY', 20);
const requests = env('REQUESTS', 200);
const fakePort = env('FAKE_DEEPSEEK_PORT', await freePort());
const relayPort = env('RELAY_PORT', await freePort());

/** @type {import('node:child_process').ChildProcess[]} */
const children = [];
function start(
  /** @type {string} */ command,
  /** @type {string[]} */ args,
  /** @type {Record<string, string>} */ extraEnv,
) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}
function stopAll() {
  for (const child of children) if (child.exitCode === null && child.pid) child.kill('SIGTERM');
}
process.on('exit', stopAll);

/**
 * Polls until `url` answers 200, for at most 60 s. Gives up as soon as `child` exits: a port taken by
 * something else must not be mistaken for our server coming up.
 */
async function ready(/** @type {string} */ url, /** @type {import('node:child_process').ChildProcess} */ child) {
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`the server for ${url} exited with ${child.exitCode}`);
    try {
      const res = await fetch(url, { headers: { authorization: 'Bearer bench' } });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not come up`);
}

const fake = start(process.execPath, ['scripts/fake-deepseek.mjs'], {
  FAKE_DEEPSEEK_PORT: String(fakePort),
  FAKE_DEEPSEEK_TOKEN_DELAY_MS: String(env('TOKEN_DELAY_MS', 0)),
});
const relayWorker = start(
  path.join(root, 'node_modules', '.bin', 'wrangler'),
  [
    'dev',
    '-c',
    'bench/relay.wrangler.toml',
    '--ip',
    '127.0.0.1',
    '--port',
    String(relayPort),
    '--var',
    `UPSTREAM_URL:http://127.0.0.1:${fakePort}`,
  ],
  {},
);

try {
  // Give both a moment to fail on a taken port before trusting whatever answers there.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await ready(`http://127.0.0.1:${fakePort}/models`, fake);
  await ready(`http://127.0.0.1:${relayPort}/models`, relayWorker);
  const body = {
    model: 'deepseek-flash',
    thinking: { type: 'disabled' },
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 256,
    messages: [{ role: 'user', content: 'What are your opening hours?' }],
  };
  const headers = { authorization: 'Bearer bench' };
  const base = { body, headers, concurrency, requests };
  // A short warm-up so first-request costs (isolate start, JIT) do not land in either figure.
  await runSseLoad({ ...base, url: `http://127.0.0.1:${relayPort}/chat/completions`, requests: 20 });
  const direct = await runSseLoad({ ...base, url: `http://127.0.0.1:${fakePort}/chat/completions` });
  const relay = await runSseLoad({ ...base, url: `http://127.0.0.1:${relayPort}/chat/completions` });
  console.log(`concurrency ${concurrency}, ${requests} requests each`);
  console.table({
    'fake directly': row(direct),
    'bare relay Worker': row(relay),
  });
} finally {
  stopAll();
}

/** @param {import('./lib/sse-load.mjs').SseLoadResult} r */
function row(r) {
  return {
    ok: r.ok,
    failed: r.failed,
    'req/s': r.reqPerSec,
    'ttft p50 ms': r.ttftMs.p50,
    'ttft p99 ms': r.ttftMs.p99,
    'total p50 ms': r.totalMs.p50,
    'total p99 ms': r.totalMs.p99,
  };
}
