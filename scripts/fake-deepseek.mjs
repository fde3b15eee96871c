// @ts-check
// `npm run fake-deepseek`: the fake DeepSeek on 127.0.0.1:$FAKE_DEEPSEEK_PORT (default 8788) for
// `npm run dev` without DEEPSEEK_API_KEY and for benchmarks. Answers are canned, never a model's.
// FAKE_DEEPSEEK_TOKEN_DELAY_MS (default 25, so streaming is visible), FAKE_DEEPSEEK_FIRST_TOKEN_DELAY_MS
// and FAKE_DEEPSEEK_KEEPALIVE_MS set server-wide defaults; requests can still override them.
import { createFakeDeepSeek } from './fake-deepseek/handler.mjs';
import { serveFetch } from './lib/serve-fetch.mjs';

/** @param {string} name @param {number} fallback */
function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) {
    console.error(`${name} must be a whole number of milliseconds, got "${raw}"`);
    process.exit(1);
  }
  return Number(raw);
}

const port = intFromEnv('FAKE_DEEPSEEK_PORT', 8788);
const fake = createFakeDeepSeek({
  tokenDelayMs: intFromEnv('FAKE_DEEPSEEK_TOKEN_DELAY_MS', 25),
  firstTokenDelayMs: intFromEnv('FAKE_DEEPSEEK_FIRST_TOKEN_DELAY_MS', 0),
  keepaliveMs: intFromEnv('FAKE_DEEPSEEK_KEEPALIVE_MS', 1000),
});
const server = await serveFetch(fake.fetch, { port });

console.log(
  `Fake DeepSeek listening on http://127.0.0.1:${port} (also /v1). Answers are CANNED, not from a model: ` +
    'set DEEPSEEK_API_KEY for real answers. Any non-empty Bearer key is accepted.',
);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
