// @ts-check
// `npm run bench:chat`: what the full chat path costs on top of the streaming floor. One run, one fake
// DeepSeek, three paths, each at concurrency 1 and 32:
//   fake directly      Node → fake DeepSeek
//   bare relay Worker  Node → wrangler dev (bench/relay-worker.ts: fetch the fake, return its body) → fake
//   full service       Node → `node scripts/dev.mjs` (auth, rate limits, account check, FAQ match,
//                      budget, stream slot, turn write) → the same fake
// Time to first token (first answer text), total time, streamed requests per second; p50 and p99.
// Target (issue): full service within 3 ms p50 of the relay at concurrency 1 (TTFT and total), and at
// least 95% of its requests per second at 32. Figures only: nothing is asserted.
//
// The fake is the dev script's own (FAKE_DEEPSEEK_PORT on a free port), streaming its canned answer
// with TOKEN_DELAY_MS between tokens (default 0, so the comparison is overhead only). The service runs
// with limits and budgets raised by --var (the limiters still run on every request), on a throwaway
// local D1. Each chat request starts a fresh conversation (no history read; one conversation insert).
// Then, unless BREAKDOWN=0, the full service again through bench/instrumented-worker.ts to show what
// each chat request awaits (D1 queries, Durable Object calls, the upstream fetch) and for how long.
// Env: REQUESTS_1 (200), REQUESTS_32 (960), WARMUP (64), USERS (8), TOKEN_DELAY_MS (0), BREAKDOWN (1).
import { freePort, startProcess, stopAll, waitUntilReady, wranglerBin } from './lib/processes.mjs';
import {
  chatIsDone,
  chatIsToken,
  createUsers,
  roundRobin,
  startService,
  unthrottled,
  userHeaders,
} from './lib/service.mjs';
import { runSseLoad } from './lib/sse-load.mjs';
import { perRequest, perStep, readWorkerStats } from './lib/timing.mjs';

const num = (/** @type {string} */ name, /** @type {number} */ fallback) => Number(process.env[name] ?? fallback);
const requestsAt = { 1: num('REQUESTS_1', 200), 32: num('REQUESTS_32', 960) };
const warmup = num('WARMUP', 64);
const userCount = num('USERS', 8);
const tokenDelayMs = num('TOKEN_DELAY_MS', 0);
const modelMessage = 'Tell me something about the weather on Mars';
const faqMessage = 'What are your delivery hours?';
const model = 'deepseek-flash';

/** @typedef {import('./lib/sse-load.mjs').SseLoadResult} Result */

/** @type {import('./lib/service.mjs').Service | undefined} */
let service;
try {
  service = await startService({ vars: unthrottled, tokenDelayMs, label: 'chat' });
  const base = service.base;
  const fakePort = service.fakePort;
  const relayPort = await freePort();
  const relay = startProcess(
    'relay Worker',
    wranglerBin,
    [
      ...['dev', '-c', 'bench/relay.wrangler.toml', '--ip', '127.0.0.1', '--port', String(relayPort)],
      ...['--var', `UPSTREAM_URL:http://127.0.0.1:${fakePort}`],
    ],
    {},
  );
  const auth = { authorization: 'Bearer bench' };
  await waitUntilReady(`http://127.0.0.1:${relayPort}/models`, relay, { headers: auth });
  const users = await createUsers(base, userCount);

  const upstreamBody = {
    model,
    // As the service sends its default model: DeepSeek would think otherwise.
    thinking: { type: 'disabled' },
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 1024,
    messages: [{ role: 'user', content: modelMessage }],
  };
  /** @type {Record<string, (concurrency: number, requests: number) => Promise<Result>>} */
  const paths = {
    'fake directly': (concurrency, requests) =>
      runSseLoad({
        url: `http://127.0.0.1:${fakePort}/chat/completions`,
        body: upstreamBody,
        headers: auth,
        concurrency,
        requests,
      }),
    'bare relay Worker': (concurrency, requests) =>
      runSseLoad({
        url: `http://127.0.0.1:${relayPort}/chat/completions`,
        body: upstreamBody,
        headers: auth,
        concurrency,
        requests,
      }),
    'full service': (concurrency, requests) => chatLoad(modelMessage, concurrency, requests),
  };
  /** Round-robin over the users, each with its own token and client IP. */
  function chatLoad(/** @type {string} */ message, /** @type {number} */ concurrency, /** @type {number} */ requests) {
    return runSseLoad({
      url: `${base}/api/v1/chat`,
      body: { message },
      concurrency,
      requests,
      headersFor: roundRobin(users),
      isToken: chatIsToken,
      isDone: chatIsDone,
    });
  }

  // Check the chat message really takes the model path, and the FAQ one the FAQ path.
  await expectSource(base, users[0], modelMessage, 'model');
  await expectSource(base, users[0], faqMessage, 'faq');

  // Warm-up: isolates, JIT, D1 statement caches, Durable Objects of every user.
  for (const run of Object.values(paths)) await run(8, warmup);

  /** @type {Record<string, Record<string, Result>>} */
  const results = {};
  for (const concurrency of /** @type {const} */ ([1, 32])) {
    for (const [name, run] of Object.entries(paths)) {
      const byConcurrency = results[name] ?? {};
      byConcurrency[concurrency] = await run(concurrency, requestsAt[concurrency]);
      results[name] = byConcurrency;
    }
  }
  const faq = await chatLoad(faqMessage, 1, requestsAt[1]);

  console.log(
    `\nPOST streamed chat, loopback, wrangler dev; fake token delay ${tokenDelayMs} ms; ` +
      `${requestsAt[1]} requests at c=1, ${requestsAt[32]} at c=32 (after ${warmup}/path warm-up); ` +
      `full service: ${users.length} users (stream cap ${unthrottled.CHAT_MAX_CONCURRENT_STREAMS} each), fresh conversation per request\n`,
  );
  /** @type {Record<string, Record<string, number | string>>} */
  const table = {};
  for (const [name, byConcurrency] of Object.entries(results)) {
    for (const [concurrency, r] of Object.entries(byConcurrency)) table[`${name} c=${concurrency}`] = row(r);
  }
  table['full service, FAQ answer c=1'] = row(faq);
  console.table(table);

  const relay1 = results['bare relay Worker']?.[1];
  const full1 = results['full service']?.[1];
  const relay32 = results['bare relay Worker']?.[32];
  const full32 = results['full service']?.[32];
  if (relay1 && full1 && relay32 && full32) {
    const ttftGap = full1.ttftMs.p50 - relay1.ttftMs.p50;
    const totalGap = full1.totalMs.p50 - relay1.totalMs.p50;
    const share = (full32.reqPerSec / relay32.reqPerSec) * 100;
    console.log(
      `full service vs bare relay: c=1 TTFT p50 +${ttftGap.toFixed(1)} ms, total p50 +${totalGap.toFixed(1)} ms ` +
        `(target ≤ 3 ms: ${Math.max(ttftGap, totalGap) <= 3 ? 'met' : 'NOT met'}); ` +
        `c=32 ${share.toFixed(0)}% of its req/s (target ≥ 95%: ${share >= 95 ? 'met' : 'NOT met'})`,
    );
  }

  // Where the full service's time goes before the first byte: the same requests against
  // bench/instrumented-worker.ts, which counts and times every D1 query, Durable Object call and fetch.
  if (process.env.BREAKDOWN !== '0') {
    await service.stop();
    service = await startService({
      vars: unthrottled,
      tokenDelayMs,
      entry: 'bench/instrumented-worker.ts',
      label: 'chat-counted',
    });
    const countedBase = service.base;
    const counted = await createUsers(countedBase, 2);
    /** @type {Record<string, Record<string, number | string>>} */
    const breakdown = {};
    /** @type {Record<string, Record<string, string>>} */
    const steps = {};
    for (const [label, message] of [
      ['model path', modelMessage],
      ['FAQ path', faqMessage],
    ]) {
      const load = (/** @type {number} */ requests) =>
        runSseLoad({
          url: `${countedBase}/api/v1/chat`,
          body: { message },
          concurrency: 1,
          requests,
          headersFor: roundRobin(counted),
          isToken: chatIsToken,
          isDone: chatIsDone,
        });
      await load(32);
      await readWorkerStats(countedBase);
      const r = await load(requestsAt[1]);
      const stats = await readWorkerStats(countedBase);
      breakdown[`${label} c=1`] = { 'ttft p50 ms': r.ttftMs.p50, ...perRequest(stats) };
      steps[`${label} c=1`] = perStep(stats);
    }
    console.log(
      '\nFull service per chat request, observed inside workerd (bench/instrumented-worker.ts, 1 ms timer):\n' +
        '"in-Worker ms" = until the Response (headers) is returned; D1/DO/fetch ms are summed per call, and\n' +
        "calls made in parallel (per-IP and per-user limits, account check, allowance) each count; the turn's\n" +
        'one record batch and the gate release run in the background after the last event.',
    );
    console.table(breakdown);
    console.log('Per step: mean ms per call × calls per request');
    console.table(steps);
  }
} finally {
  await service?.stop();
  await stopAll();
}

/** @param {Result} r */
function row(r) {
  return {
    ok: r.ok,
    failed: r.failed,
    'ttft p50 ms': r.ttftMs.p50,
    'ttft p99 ms': r.ttftMs.p99,
    'total p50 ms': r.totalMs.p50,
    'total p99 ms': r.totalMs.p99,
    'req/s': r.reqPerSec,
    // What the failures were (HTTP status, `cut` for a stream without `done`, or the error's name).
    ...(r.failed > 0 ? { statuses: JSON.stringify(r.statuses) } : {}),
  };
}

/**
 * @param {string} base @param {import('./lib/service.mjs').BenchUser | undefined} user
 * @param {string} message @param {'faq' | 'model'} source
 */
async function expectSource(base, user, message, source) {
  if (!user) throw new Error('no users');
  const res = await fetch(`${base}/api/v1/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...userHeaders(user) },
    body: JSON.stringify({ message, stream: false }),
  });
  const body = /** @type {{ source?: string }} */ (await res.json());
  if (res.status !== 200 || body.source !== source) {
    throw new Error(`"${message}" should be answered by the ${source} path; got ${res.status} ${JSON.stringify(body)}`);
  }
}
