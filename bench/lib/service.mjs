// @ts-check
// The full service for benchmarks, started the way a developer starts it (`node scripts/dev.mjs`,
// i.e. `wrangler dev` with the dev script's own fake DeepSeek) but on free ports and with a throwaway
// local D1 (`--persist-to` a temp dir, migrated first), so a run neither touches the developer's
// `.wrangler/state` nor shares SQLite files with a dev server that may be running at the same time.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deepseekKeyConfigured } from '../../scripts/lib/fake-deepseek-server.mjs';
import { childEnv, freePort, root, runToEnd, startProcess, waitUntilReady, wranglerBin } from './processes.mjs';

const execFileAsync = promisify(execFile);

/** Limits raised so that nothing in a benchmark is throttled (the limiter still runs on every request). */
export const unthrottled = {
  RATE_LIMIT_IP: '1000000000/1m',
  RATE_LIMIT_USER: '1000000000/1m',
  RATE_LIMIT_LOGIN_IP: '1000000000/1m',
  RATE_LIMIT_LOGIN_EMAIL: '1000000000/1m',
  RATE_LIMIT_REGISTER_IP: '1000000000/1m',
  // The highest CHAT_MAX_CONCURRENT_STREAMS allowed by chat.config.ts (int 1–20).
  CHAT_MAX_CONCURRENT_STREAMS: '20',
  TOKEN_BUDGET_DAILY: 'viewer:0,user:9999999999,moderator:9999999999,admin:9999999999',
  // Benches make thousands of turns per user: the daily message quota and the conversation cap would end them.
  CHAT_DAILY_MESSAGES: 'viewer:0,user:1000000000,moderator:1000000000,admin:1000000000',
  CHAT_MAX_CONVERSATIONS: '100000',
};

/**
 * @typedef {object} Service
 * @property {string} base        http://127.0.0.1:PORT
 * @property {number} fakePort    the dev script's fake DeepSeek
 * @property {string} persistTo   the temp directory holding local D1 and Durable Object state
 * @property {string} logFile     wrangler's and the fake's output
 * @property {number} pid         the dev script's node process: it leads the process group of wrangler and
 *   workerd, and hosts the fake DeepSeek itself
 * @property {() => Promise<void>} stopServer stops wrangler, workerd and the fake; keeps the state (to inspect it)
 * @property {() => Promise<void>} stop stops them if running and removes the temp state
 */

/**
 * @param {{ vars?: Record<string, string>, tokenDelayMs?: number, entry?: string, label?: string }} [options]
 *   `entry` replaces `main` (e.g. a wrapper Worker that counts D1 queries); `vars` become `--var`s.
 * @returns {Promise<Service>}
 */
export async function startService(options = {}) {
  if (deepseekKeyConfigured(root)) {
    throw new Error('DEEPSEEK_API_KEY is set (environment or .dev.vars): refusing to benchmark the real DeepSeek');
  }
  const persistTo = mkdtempSync(path.join(os.tmpdir(), 'support-chat-bench-'));
  // Beside the state, not in it: KEEP_LOGS=1 keeps the log after the state is gone.
  const logFile = `${persistTo}.${options.label ?? 'service'}.log`;
  await runToEnd(wranglerBin, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo], { logFile });
  const port = await freePort();
  const fakePort = await freePort();
  const vars = { FAKE_DEEPSEEK_URL: `http://127.0.0.1:${fakePort}`, ...options.vars };
  const args = ['scripts/dev.mjs', ...(options.entry ? [options.entry] : []), '--persist-to', persistTo];
  for (const [key, value] of Object.entries(vars)) args.push('--var', `${key}:${value}`);
  const dev = startProcess('service (scripts/dev.mjs)', process.execPath, args, {
    logFile,
    env: {
      PORT: String(port),
      FAKE_DEEPSEEK_PORT: String(fakePort),
      FAKE_DEEPSEEK_TOKEN_DELAY_MS: String(options.tokenDelayMs ?? 0),
      FAKE_DEEPSEEK_FIRST_TOKEN_DELAY_MS: '0',
    },
  });
  const base = `http://127.0.0.1:${port}`;
  const stopServer = () => dev.stop();
  const stop = async () => {
    await dev.stop();
    rmSync(persistTo, { recursive: true, force: true });
    if (process.env.KEEP_LOGS) console.log(`service log kept: ${logFile}`);
    else rmSync(logFile, { force: true });
  };
  try {
    await waitUntilReady(`http://127.0.0.1:${fakePort}/models`, dev, { headers: { authorization: 'Bearer bench' } });
    await waitUntilReady(`${base}/api/v1/health`, dev);
  } catch (error) {
    console.error(readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n'));
    await stop();
    throw error;
  }
  return { base, fakePort, persistTo, logFile, pid: dev.child.pid ?? 0, stopServer, stop };
}

/**
 * Runs one SQL statement on a stopped service's local D1 and returns its rows.
 * @param {Service} service @param {string} sql @returns {Promise<Record<string, unknown>[]>}
 */
export async function queryD1(service, sql) {
  const args = ['d1', 'execute', 'DB', '--local', '--persist-to', service.persistTo, '--json', '--command', sql];
  const { stdout } = await execFileAsync(wranglerBin, args, { cwd: root, env: childEnv });
  const [first] = /** @type {{ results: Record<string, unknown>[] }[]} */ (JSON.parse(stdout));
  return first?.results ?? [];
}

/** @typedef {{ email: string, password: string, token: string, ip: string }} BenchUser */

/**
 * Registers and logs in `count` fresh users (role `user`). Each gets its own client IP
 * (CF-Connecting-IP, honoured by `wrangler dev`), as distinct customers would have.
 * @param {string} base @param {number} count @returns {Promise<BenchUser[]>}
 */
export async function createUsers(base, count) {
  const run = randomBytes(4).toString('hex');
  /** @type {BenchUser[]} */
  const users = [];
  for (let i = 0; i < count; i++) {
    const email = `bench-${run}-${i}@example.test`;
    const password = `Quiet-Lantern-${randomBytes(6).toString('hex')}`;
    const ip = `10.77.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const register = await postJson(`${base}/api/v1/auth/register`, { email, username: `b${run}_${i}`, password }, ip);
    if (register.status !== 202) throw new Error(`register: ${register.status} ${JSON.stringify(register.body)}`);
    await verifyEmail(base, email, ip);
    const token = await login(base, email, password, ip);
    users.push({ email, password, token, ip });
  }
  return users;
}

/**
 * Confirms a new account's address the way a person does: the link in the verification mail, read from
 * the development outbox (`wrangler dev` on loopback). Unverified accounts may not chat.
 * @param {string} base @param {string} email @param {string} ip
 */
async function verifyEmail(base, email, ip) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${base}/api/v1/dev/outbox`, { headers: { 'cf-connecting-ip': ip } });
    const { messages = [] } = /** @type {{ messages?: { to: string, text: string }[] }} */ (await res.json());
    const token = /\/#\/verify\/([A-Za-z0-9_-]+)/.exec(messages.find((m) => m.to === email)?.text ?? '')?.[1];
    if (token) {
      const verified = await postJson(`${base}/api/v1/auth/email/verify`, { token }, ip);
      if (verified.status !== 200) throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body)}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`no verification mail for ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The headers a user's requests carry. @param {BenchUser} user @returns {Record<string, string>} */
export const userHeaders = (user) => ({ authorization: `Bearer ${user.token}`, 'cf-connecting-ip': user.ip });

/**
 * Round-robin over `users` by request number.
 * @param {BenchUser[]} users @returns {(index: number) => Record<string, string>}
 */
export const roundRobin = (users) => (index) => userHeaders(/** @type {BenchUser} */ (users[index % users.length]));

/** @param {string} base @param {string} email @param {string} password @param {string} ip */
export async function login(base, email, password, ip) {
  const res = await postJson(`${base}/api/v1/auth/login`, { email, password }, ip);
  const token = /** @type {{ accessToken?: string }} */ (res.body).accessToken;
  if (res.status !== 200 || !token) throw new Error(`login: ${res.status} ${JSON.stringify(res.body)}`);
  return token;
}

/**
 * @param {string} url @param {unknown} body @param {string} ip @param {Record<string, string>} [headers]
 * @returns {Promise<{ status: number, body: unknown }>}
 */
export async function postJson(url, body, ip, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

/**
 * Our chat SSE: `event: delta` carries answer text (`{text}`), `event: done` ends a complete answer
 * and `event: error` an interrupted one.
 * @param {string} data @param {string | undefined} event
 */
export const chatIsToken = (data, event) => event === 'delta' && data.includes('"text"');
/** @param {string} _data @param {string | undefined} event */
export const chatIsDone = (_data, event) => event === 'done';
