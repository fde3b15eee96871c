// @ts-check
// Starts the fake DeepSeek on Node, for `npm run fake-deepseek` and for `npm run dev` when no real
// key is configured. Server-wide defaults come from FAKE_DEEPSEEK_* variables; requests can still
// override them with `X-Fake-*` headers or `[fake:name=N]` phrases.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createFakeDeepSeek } from '../fake-deepseek/handler.mjs';
import { serveFetch } from './serve-fetch.mjs';

/** @param {string} name @param {number} fallback */
function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

export const fakeDeepSeekPort = () => intFromEnv('FAKE_DEEPSEEK_PORT', 8788);

/** Listens on 127.0.0.1 and says loudly that answers are canned. */
export async function startFakeDeepSeek() {
  const port = fakeDeepSeekPort();
  const fake = createFakeDeepSeek({
    // 25 ms per token by default so streaming is visible in the UI.
    tokenDelayMs: intFromEnv('FAKE_DEEPSEEK_TOKEN_DELAY_MS', 25),
    firstTokenDelayMs: intFromEnv('FAKE_DEEPSEEK_FIRST_TOKEN_DELAY_MS', 0),
    keepaliveMs: intFromEnv('FAKE_DEEPSEEK_KEEPALIVE_MS', 1000),
  });
  const server = await serveFetch(fake.fetch, { port });
  console.log(
    `Fake DeepSeek listening on http://127.0.0.1:${port} (also /v1). Answers are CANNED, not from a model: ` +
      'set DEEPSEEK_API_KEY for real answers. Any non-empty Bearer key is accepted.',
  );
  return server;
}

/** True when DEEPSEEK_API_KEY is set in the environment or in `.dev.vars` (which wrangler dev reads). */
export function deepseekKeyConfigured(root = process.cwd()) {
  if (process.env.DEEPSEEK_API_KEY) return true;
  const devVars = path.join(root, '.dev.vars');
  if (!existsSync(devVars)) return false;
  return /^\s*DEEPSEEK_API_KEY\s*=\s*["']?[^"'\s#]/m.test(readFileSync(devVars, 'utf8'));
}

/**
 * For `npm run dev`: the fake only when no real key is configured. A port already taken is assumed
 * to be a fake started by hand (`npm run fake-deepseek`), so dev goes on.
 * @param {string} root
 */
export async function startFakeDeepSeekUnlessKeyed(root) {
  if (deepseekKeyConfigured(root)) return undefined;
  try {
    return await startFakeDeepSeek();
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EADDRINUSE') throw error;
    console.log(`Port ${fakeDeepSeekPort()} is taken; assuming a fake DeepSeek already runs there.`);
    return undefined;
  }
}
