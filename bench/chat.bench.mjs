// @ts-check
// `npm run bench:chat [-- --runs N]`: what the full chat path costs on top of the streaming floor. One
// fake DeepSeek, three paths, each at concurrency 1 and 32:
//   fake directly      Node → fake DeepSeek
//   bare relay Worker  Node → wrangler dev (bench/relay-worker.ts: fetch the fake, return its body) → fake
//   full service       Node → `node scripts/dev.mjs` (auth, rate limits, account check, FAQ match,
//                      budget, stream slot, turn write) → the same fake
// Time to first token (first answer text), total time, streamed requests per second; p50 and p99; and
// the runtime's CPU per streamed request: user + system CPU time of the processes that serve the path
// (wrangler's node processes and its workerd children, read from /proc for the process group before and
// after the measured run) ÷ requests sent. For the full service the dev script's own node process is
// left out, since it hosts the fake DeepSeek. Under wrangler dev most of that CPU is the dev runtime
// (NOTES.md: ~29 ms for a bare relay), so the two paths are compared side by side, never alone.
// Target (issue): full service within 3 ms p50 of the relay at concurrency 1 (TTFT and total), and at
// least 95% of its requests per second at 32. Figures only: nothing is asserted.
//
// `--runs N` (default 1) repeats the whole comparison N times, each with freshly started servers (a
// new local D1), and prints the median of every figure across runs; the differences service − relay
// are taken within each run, then their median. The counts below are per run, trimmed so that
// `--runs 5` stays under about 10 minutes on 2 cores (one run: about 100 s there, start-up included).
//
// The fake is the dev script's own (FAKE_DEEPSEEK_PORT on a free port), streaming its canned answer
// with TOKEN_DELAY_MS between tokens (default 0, so the comparison is overhead only). The service runs
// with limits and budgets raised by --var (the limiters still run on every request), on a throwaway
// local D1. Each chat request starts a fresh conversation (no history read; one conversation insert).
// Then, once after the runs and unless BREAKDOWN=0, the full service again through
// bench/instrumented-worker.ts to show what each chat request awaits (D1 queries, Durable Object
// calls, the upstream fetch) and for how long.
// Env: REQUESTS_1 (100), REQUESTS_32 (320), WARMUP (64), USERS (8), TOKEN_DELAY_MS (0), BREAKDOWN (1).
import { freePort, groupCpuMs, startProcess, stopAll, waitUntilReady, wranglerBin } from './lib/processes.mjs';
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
const requestsAt = { 1: num('REQUESTS_1', 100), 32: num('REQUESTS_32', 320) };
const warmup = num('WARMUP', 64);
const userCount = num('USERS', 8);
const tokenDelayMs = num('TOKEN_DELAY_MS', 0);
const runs = runsFromArgs(process.argv.slice(2));
const modelMessage = 'Tell me something about the weather on Mars';
const faqMessage = 'What are your delivery hours?';
const model = 'deepseek-flash';
const RELAY = 'bare relay Worker';
const SERVICE = 'full service';

/** @typedef {import('./lib/sse-load.mjs').SseLoadResult} Result */
/** A measured load and the runtime CPU it cost (undefined for the fake, which is not a runtime). */
/** @typedef {Result & { cpuMsPerRequest?: number }} Measured */
/**
 * One comparison's rows ("bare relay Worker c=1", …) and its service − relay figures.
 * @typedef {{ rows: Record<string, Measured>, ttftGap1: number, totalGap1: number, share32: number }} Run
 */

/** @type {import('./lib/service.mjs').Service | undefined} */
let service;
/** @type {import('./lib/processes.mjs').Started | undefined} */
let relay;
try {
  console.log(
    `bench:chat: ${runs} run(s); per run ${requestsAt[1]} requests at c=1 and ${requestsAt[32]} at c=32 per path ` +
      `(after ${warmup}/path warm-up), ${requestsAt[1]} FAQ answers at c=1`,
  );
  const startedAt = performance.now();
  /** @type {Run[]} */
  const results = [];
  for (let n = 1; n <= runs; n++) {
    const run = await compareOnce();
    results.push(run);
    const relayCpu = cpuPair(run, RELAY);
    const serviceCpu = cpuPair(run, SERVICE);
    console.log(
      `run ${n}/${runs} (${((performance.now() - startedAt) / 1000).toFixed(0)} s): c=1 TTFT p50 service − relay ` +
        `${signed(run.ttftGap1)} ms; c=32 service ${run.share32.toFixed(0)}% of relay req/s; ` +
        `runtime CPU ms/request (c=1, c=32) relay ${relayCpu}, service ${serviceCpu}`,
    );
  }
  report(results);
  if (process.env.BREAKDOWN !== '0') await breakdown();
  console.log(`\nbench:chat took ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
} finally {
  await service?.stop();
  await relay?.stop();
  await stopAll();
}

/**
 * Starts the service and the relay (side by side, on one fake), warms them up, measures every path at
 * c=1 and c=32 and the FAQ answer at c=1, and stops both.
 * @returns {Promise<Run>}
 */
async function compareOnce() {
  const relayPort = await freePort();
  service = await startService({ vars: unthrottled, tokenDelayMs, label: 'chat' });
  const { base, fakePort } = service;
  relay = startProcess(
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
  // The process groups whose CPU each path costs: wrangler (and workerd) lead by the relay's own
  // process, and the dev script's group without the dev script itself (it runs the fake).
  const relayPgid = relay.child.pid ?? 0;
  const servicePgid = service.pid;
  /** @type {Record<string, { run: (concurrency: number, requests: number) => Promise<Result>, cpu?: () => number }>} */
  const paths = {
    'fake directly': {
      run: (concurrency, requests) =>
        runSseLoad({
          url: `http://127.0.0.1:${fakePort}/chat/completions`,
          body: upstreamBody,
          headers: auth,
          concurrency,
          requests,
        }),
    },
    [RELAY]: {
      run: (concurrency, requests) =>
        runSseLoad({
          url: `http://127.0.0.1:${relayPort}/chat/completions`,
          body: upstreamBody,
          headers: auth,
          concurrency,
          requests,
        }),
      cpu: () => groupCpuMs(relayPgid).ms,
    },
    [SERVICE]: {
      run: (concurrency, requests) => chatLoad(base, users, modelMessage, concurrency, requests),
      cpu: () => groupCpuMs(servicePgid, { exclude: [servicePgid] }).ms,
    },
  };

  // Check the chat message really takes the model path, and the FAQ one the FAQ path.
  await expectSource(base, users[0], modelMessage, 'model');
  await expectSource(base, users[0], faqMessage, 'faq');

  // Warm-up: isolates, JIT, D1 statement caches, Durable Objects of every user.
  for (const path of Object.values(paths)) await path.run(8, warmup);

  /** @type {Record<string, Measured>} */
  const rows = {};
  for (const concurrency of /** @type {const} */ ([1, 32])) {
    for (const [name, path] of Object.entries(paths)) {
      rows[`${name} c=${concurrency}`] = await measure(path, concurrency, requestsAt[concurrency]);
    }
  }
  rows[`${SERVICE}, FAQ answer c=1`] = await measure(
    { run: (c, r) => chatLoad(base, users, faqMessage, c, r), cpu: paths[SERVICE]?.cpu },
    1,
    requestsAt[1],
  );
  await service.stop();
  await relay.stop();
  service = undefined;
  relay = undefined;

  const relay1 = rows[`${RELAY} c=1`];
  const full1 = rows[`${SERVICE} c=1`];
  const relay32 = rows[`${RELAY} c=32`];
  const full32 = rows[`${SERVICE} c=32`];
  if (!relay1 || !full1 || !relay32 || !full32) throw new Error('a path was not measured');
  return {
    rows,
    ttftGap1: full1.ttftMs.p50 - relay1.ttftMs.p50,
    totalGap1: full1.totalMs.p50 - relay1.totalMs.p50,
    share32: (full32.reqPerSec / relay32.reqPerSec) * 100,
  };
}

/**
 * One measured load, with the CPU its runtime used over it (sampled right before and after).
 * @param {{ run: (concurrency: number, requests: number) => Promise<Result>, cpu?: (() => number) | undefined }} path
 * @param {number} concurrency @param {number} requests @returns {Promise<Measured>}
 */
async function measure(path, concurrency, requests) {
  const before = path.cpu?.();
  const result = await path.run(concurrency, requests);
  const after = path.cpu?.();
  if (before === undefined || after === undefined) return result;
  return { ...result, cpuMsPerRequest: round((after - before) / requests) };
}

/**
 * Round-robin over the users, each with its own token and client IP.
 * @param {string} base @param {import('./lib/service.mjs').BenchUser[]} users @param {string} message
 * @param {number} concurrency @param {number} requests
 */
function chatLoad(base, users, message, concurrency, requests) {
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

/** The table of medians across runs, then the service − relay figures against the targets. @param {Run[]} results */
function report(results) {
  const first = results[0];
  if (!first) return;
  console.log(
    `\nPOST streamed chat, loopback, wrangler dev; fake token delay ${tokenDelayMs} ms; ` +
      `${requestsAt[1]} requests at c=1, ${requestsAt[32]} at c=32 per run (after ${warmup}/path warm-up); ` +
      `full service: ${userCount} users (stream cap ${unthrottled.CHAT_MAX_CONCURRENT_STREAMS} each), fresh conversation per request` +
      (results.length > 1 ? `\nMedian of ${results.length} runs (ok and failed: summed over the runs)` : ''),
  );
  /** @type {Record<string, Record<string, number | string>>} */
  const table = {};
  for (const name of Object.keys(first.rows)) {
    const measured = results.map((r) => r.rows[name]).filter((m) => m !== undefined);
    table[name] = row(measured);
  }
  console.table(table);

  const ttftGap = median(results.map((r) => r.ttftGap1));
  const totalGap = median(results.map((r) => r.totalGap1));
  const share = median(results.map((r) => r.share32));
  const perRun = (/** @type {number[]} */ values, /** @type {(v: number) => string} */ show) =>
    results.length > 1 ? ` [runs: ${values.map(show).join(', ')}]` : '';
  const cpu = (/** @type {string} */ name) =>
    [1, 32].map((c) => median(results.map((r) => r.rows[`${name} c=${c}`]?.cpuMsPerRequest ?? NaN)).toFixed(1));
  const [relayCpu1, relayCpu32] = cpu(RELAY);
  const [serviceCpu1, serviceCpu32] = cpu(SERVICE);
  console.log(
    [
      `full service − bare relay, c=1 TTFT p50: ${signed(ttftGap)} ms${perRun(
        results.map((r) => r.ttftGap1),
        signed,
      )}; total p50 ${signed(totalGap)} ms (target ≤ 3 ms: ${Math.max(ttftGap, totalGap) <= 3 ? 'met' : 'NOT met'})`,
      `full service req/s as a share of the relay's at c=32: ${share.toFixed(0)}%${perRun(
        results.map((r) => r.share32),
        (v) => `${v.toFixed(0)}%`,
      )} (target ≥ 95%: ${share >= 95 ? 'met' : 'NOT met'})`,
      `runtime CPU per streamed request (wrangler + workerd processes), c=1 / c=32: ` +
        `bare relay ${relayCpu1} / ${relayCpu32} ms, full service ${serviceCpu1} / ${serviceCpu32} ms`,
    ].join('\n'),
  );
}

/**
 * Where the full service's time goes before the first byte: the same requests against
 * bench/instrumented-worker.ts, which counts and times every D1 query, Durable Object call and fetch.
 */
async function breakdown() {
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
    '\nFull service per chat request, observed inside workerd (bench/instrumented-worker.ts, 1 ms timer, one run):\n' +
      '"in-Worker ms" = until the Response (headers) is returned; D1/DO/fetch ms are summed per call, and\n' +
      "calls made in parallel (per-IP and per-user limits, admission) each count; the turn's\n" +
      'one record batch and the settlement run in the background after the last event.',
  );
  console.table(breakdown);
  console.log('Per step: mean ms per call × calls per request');
  console.table(steps);
}

/**
 * One table row: medians across runs of every figure (one run: its figures), ok/failed summed.
 * @param {Measured[]} measured
 */
function row(measured) {
  const med = (/** @type {(m: Measured) => number | undefined} */ pick) =>
    round(median(measured.map(pick).filter((v) => v !== undefined)));
  /** @type {Record<string, number>} */
  const statuses = {};
  // Only the failures' statuses: a stream that ends without `done` is counted as `cut`, never as 200.
  for (const m of measured) {
    for (const [status, count] of Object.entries(m.statuses)) {
      if (status !== '200') statuses[status] = (statuses[status] ?? 0) + count;
    }
  }
  const failed = measured.reduce((sum, m) => sum + m.failed, 0);
  const cpu = med((m) => m.cpuMsPerRequest);
  return {
    ok: measured.reduce((sum, m) => sum + m.ok, 0),
    failed,
    'ttft p50 ms': med((m) => m.ttftMs.p50),
    'ttft p99 ms': med((m) => m.ttftMs.p99),
    'total p50 ms': med((m) => m.totalMs.p50),
    'total p99 ms': med((m) => m.totalMs.p99),
    'req/s': med((m) => m.reqPerSec),
    ...(Number.isNaN(cpu) ? {} : { 'CPU ms/req': cpu }),
    // What the failures were (HTTP status, `cut` for a stream without `done`, or the error's name), summed.
    ...(failed > 0 ? { statuses: JSON.stringify(statuses) } : {}),
  };
}

/** Middle value (mean of the two middle ones for an even count); NaN for none. @param {number[]} values */
function median(values) {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
}

/** "c=1 / c=32" CPU ms per request of one path in one run. @param {Run} run @param {string} name */
function cpuPair(run, name) {
  return [1, 32].map((c) => run.rows[`${name} c=${c}`]?.cpuMsPerRequest?.toFixed(1) ?? '?').join(' / ');
}

/** @param {number} n */
function signed(n) {
  return `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;
}
/** @param {number} n */
function round(n) {
  return Math.round(n * 10) / 10;
}

/** `--runs N` or `--runs=N` (default 1). @param {string[]} args */
function runsFromArgs(args) {
  const at = args.findIndex((a) => a === '--runs' || a.startsWith('--runs='));
  if (at === -1) return 1;
  const arg = /** @type {string} */ (args[at]);
  const value = Number(arg.includes('=') ? arg.slice('--runs='.length) : args[at + 1]);
  if (!(Number.isInteger(value) && value >= 1 && value <= 50)) throw new Error('--runs: a whole number 1–50');
  return value;
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
