// @ts-check
// Sequential request timing and the per-request figures of bench/instrumented-worker.ts.

/** @typedef {{ p50: number, p99: number, mean: number, n: number }} Latency */

/** @param {number[]} values @returns {Latency} */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { p50: round(at(0.5)), p99: round(at(0.99)), mean: round(mean), n: sorted.length };
}

/**
 * Times `count` sequential calls of `request` (which must read the whole body); each must give `expected`.
 * @param {number} count @param {(i: number) => Promise<Response>} request @param {number} expected
 */
export async function timeSequential(count, request, expected) {
  /** @type {number[]} */
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await request(i);
    await res.arrayBuffer();
    const ms = performance.now() - started;
    if (res.status !== expected) throw new Error(`${res.url}: expected ${expected}, got ${res.status}`);
    times.push(ms);
  }
  return summarize(times);
}

/**
 * @typedef {{ requests: number, toResponseMs: number,
 *   d1: { roundTrips: number, statements: number, batches: number, ms: number,
 *     byVerb: Record<string, { calls: number, ms: number }> },
 *   durableObjects: Record<string, { calls: number, ms: number }>, fetch: { calls: number, ms: number } }} WorkerStats
 */

/** Reads (and resets) the instrumented Worker's counters. @param {string} base @returns {Promise<WorkerStats>} */
export async function readWorkerStats(base) {
  const res = await fetch(`${base}/__bench/stats`);
  if (!res.ok) throw new Error(`/__bench/stats: ${res.status} (is the instrumented entry running?)`);
  return /** @type {Promise<WorkerStats>} */ (res.json());
}

/**
 * Per-request averages of what the Worker awaited, for a table row.
 * @param {WorkerStats} s @returns {Record<string, number | string>}
 */
export function perRequest(s) {
  const n = Math.max(1, s.requests);
  const per = (/** @type {number} */ v) => round(v / n);
  const doCalls = Object.values(s.durableObjects).reduce((sum, d) => sum + d.calls, 0);
  const doMs = Object.values(s.durableObjects).reduce((sum, d) => sum + d.ms, 0);
  return {
    'in-Worker ms': per(s.toResponseMs),
    'D1 round trips': per(s.d1.roundTrips),
    'D1 statements': per(s.d1.statements),
    'D1 ms': per(s.d1.ms),
    'DO calls': per(doCalls),
    'DO ms': per(doMs),
    'fetch ms': per(s.fetch.ms),
  };
}

/**
 * Mean time per call of each awaited step (D1 by SQL verb, each Durable Object method, fetch), with
 * calls per request: "ms/call × calls" for a table row.
 * @param {WorkerStats} s @returns {Record<string, string>}
 */
export function perStep(s) {
  const n = Math.max(1, s.requests);
  /** @type {Record<string, string>} */
  const row = {};
  const add = (/** @type {string} */ name, /** @type {{ calls: number, ms: number }} */ t) => {
    if (t.calls > 0) row[name] = `${round(t.ms / t.calls)} ms × ${round(t.calls / n)}`;
  };
  for (const [verb, t] of Object.entries(s.d1.byVerb)) add(`D1 ${verb}`, t);
  for (const [method, t] of Object.entries(s.durableObjects)) add(method, t);
  add('fetch upstream', s.fetch);
  return row;
}

export const round = (/** @type {number} */ n) => Math.round(n * 100) / 100;
