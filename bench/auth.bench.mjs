// @ts-check
// `npm run bench:auth`: figures for the identity notes, under `wrangler dev` on 127.0.0.1 (sequential
// requests, so each figure is one request's latency, not throughput).
//   GET /api/v1/health              the floor: middleware only, one rate-limit Durable Object call
//   GET /api/v1/users/me            an authenticated request (JWT verify + the user row check + the profile)
//   POST /api/v1/auth/login         a good login: Argon2id verify, user update, audit row, refresh token, JWT
//   POST /api/v1/auth/login, unknown email   Argon2id verify against the dummy hash + audit row: the hash,
//                                   nearly alone
// Then the same requests against bench/instrumented-worker.ts (the app with its D1, Durable Object and
// fetch bindings counted and timed) to observe how many D1 queries each costs; "in-Worker ms" minus
// the time spent awaiting D1 and Durable Objects is what the isolate spent computing — for the
// unknown-email login, essentially one Argon2id hash.
// All rate limits are raised by --var (the limiters still run). Env: REQUESTS (500), LOGINS (40).
import { stopAll } from './lib/processes.mjs';
import { createUsers, startService, unthrottled, userHeaders } from './lib/service.mjs';
import { perRequest, perStep, readWorkerStats, round, timeSequential } from './lib/timing.mjs';

const requests = Number(process.env.REQUESTS ?? 500);
const logins = Number(process.env.LOGINS ?? 40);

/** @typedef {import('./lib/service.mjs').Service} Service */
/** @typedef {import('./lib/service.mjs').BenchUser} BenchUser */

/**
 * The four requests measured, by label: [expected status, request].
 * @param {string} base @param {BenchUser} user
 * @returns {Record<string, [number, (i: number) => Promise<Response>]>}
 */
function cases(base, user) {
  const post = (/** @type {unknown} */ body) =>
    fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': user.ip },
      body: JSON.stringify(body),
    });
  return {
    'GET /api/v1/health': [200, () => fetch(`${base}/api/v1/health`, { headers: { 'cf-connecting-ip': user.ip } })],
    'GET /api/v1/users/me': [200, () => fetch(`${base}/api/v1/users/me`, { headers: userHeaders(user) })],
    'POST login (good password)': [200, () => post({ email: user.email, password: user.password })],
    'POST login (unknown email)': [
      401,
      (i) => post({ email: `nobody-${i}-${Date.now()}@example.test`, password: 'Not-The-Password-42' }),
    ],
  };
}
const isLogin = (/** @type {string} */ label) => label.startsWith('POST');

/** @type {Service | undefined} */
let service;
try {
  // 1. Latency, against the service as it ships.
  service = await startService({ vars: unthrottled, label: 'auth' });
  const [user] = await createUsers(service.base, 1);
  if (!user) throw new Error('no user');
  /** @type {Record<string, Record<string, number | string>>} */
  const latency = {};
  for (const [label, [status, request]] of Object.entries(cases(service.base, user))) {
    const count = isLogin(label) ? logins : requests;
    await timeSequential(Math.ceil(count / 10), request, status); // warm-up
    const r = await timeSequential(count, request, status);
    latency[label] = { n: r.n, 'p50 ms': r.p50, 'p99 ms': r.p99, 'mean ms': r.mean };
  }
  await service.stop();
  service = undefined;

  // 2. What each request awaits, observed through the instrumented entry.
  service = await startService({ vars: unthrottled, entry: 'bench/instrumented-worker.ts', label: 'auth-counted' });
  const [counted] = await createUsers(service.base, 1);
  if (!counted) throw new Error('no user');
  /** @type {Record<string, Record<string, number | string>>} */
  const awaited = {};
  /** @type {Record<string, Record<string, string>>} */
  const steps = {};
  for (const [label, [status, request]] of Object.entries(cases(service.base, counted))) {
    const count = isLogin(label) ? 20 : 100;
    await timeSequential(5, request, status);
    await readWorkerStats(service.base);
    await timeSequential(count, request, status);
    const stats = await readWorkerStats(service.base);
    const row = perRequest(stats);
    const io = (stats.d1.ms + Object.values(stats.durableObjects).reduce((sum, d) => sum + d.ms, 0)) / stats.requests;
    awaited[label] = { ...row, 'not awaiting I/O ms': round(stats.toResponseMs / stats.requests - io) };
    steps[label] = perStep(stats);
  }

  console.log(`\nSequential requests under wrangler dev (loopback), after warm-up; rate limits raised, limiter on`);
  console.table(latency);
  const health = latency['GET /api/v1/health']?.['p50 ms'];
  const me = latency['GET /api/v1/users/me']?.['p50 ms'];
  const unknown = latency['POST login (unknown email)']?.['p50 ms'];
  if (typeof health === 'number' && typeof me === 'number' && typeof unknown === 'number') {
    console.log(
      `authenticated request costs +${round(me - health)} ms p50 over health; ` +
        `a failed login +${round(unknown - health)} ms p50 (Argon2id verify + 2 D1 queries + 2 more limiter calls)`,
    );
  }
  console.log('\nPer request, observed inside workerd (bench/instrumented-worker.ts; timer resolution 1 ms)');
  console.table(awaited);
  console.log('Per step: mean ms per call × calls per request');
  console.table(steps);
} finally {
  await service?.stop();
  await stopAll();
}
