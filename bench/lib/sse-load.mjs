// @ts-check
// Drives a streaming endpoint at a fixed concurrency for a fixed number of requests and reports time
// to first token, total time per request, requests per second and their p50/p99. Loopback only: it
// is a measuring tool, not a load generator to point at someone else's service.

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * @typedef {object} SseLoadOptions
 * @property {string} url             must be on 127.0.0.1 / localhost
 * @property {unknown} body           JSON request body (POST)
 * @property {Record<string, string>} [headers]
 * @property {(index: number) => Record<string, string>} [headersFor] extra headers for request number
 *   `index` (0-based), e.g. to spread the load over several users
 * @property {number} concurrency     requests in flight at once (1–1000)
 * @property {number} requests        total requests (1–100000)
 * @property {number} [timeoutMs]     per request, default 30000
 * @property {(data: string, event: string | undefined) => boolean} [isToken] whether an SSE event
 *   (its data payload and `event:` name, if any) carries answer text
 * @property {(data: string, event: string | undefined) => boolean} [isDone] whether an SSE event ends a
 *   complete stream (default: `data: [DONE]`, as DeepSeek/OpenAI send)
 * @property {boolean} [requireDone]  count a stream as complete only after `isDone` (default true)
 *
 * @typedef {{ p50: number, p99: number, mean: number, max: number }} Summary
 * @typedef {{ requests: number, ok: number, failed: number, statuses: Record<string, number>,
 *   wallMs: number, reqPerSec: number, ttftMs: Summary, totalMs: Summary, tokens: number }} SseLoadResult
 */

/**
 * Default token test, for both DeepSeek/OpenAI chunks (`choices[0].delta.content`) and event objects
 * shaped like ours (`{type:"delta", text}`).
 * @param {string} data
 */
export function defaultIsToken(data) {
  if (!data.startsWith('{')) return false;
  try {
    const parsed = JSON.parse(data);
    const content = parsed?.choices?.[0]?.delta?.content;
    if (typeof content === 'string' && content !== '') return true;
    return parsed?.type === 'delta' && typeof parsed.text === 'string' && parsed.text !== '';
  } catch {
    return false;
  }
}

/** @param {string} data */
export const defaultIsDone = (data) => data === '[DONE]';

/** @param {SseLoadOptions} options @returns {Promise<SseLoadResult>} */
export async function runSseLoad(options) {
  const { url, body, headers = {}, concurrency, requests, timeoutMs = 30_000 } = options;
  const { isToken = defaultIsToken, isDone = defaultIsDone, requireDone = true } = options;
  if (!loopback.has(new URL(url).hostname)) throw new Error(`refusing to load a non-loopback host: ${url}`);
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 1000))
    throw new Error('concurrency: 1–1000');
  if (!(Number.isInteger(requests) && requests >= 1 && requests <= 100_000)) throw new Error('requests: 1–100000');

  /** @type {number[]} */ const ttft = [];
  /** @type {number[]} */ const total = [];
  /** @type {Record<string, number>} */ const statuses = {};
  let next = 0;
  let ok = 0;
  let tokens = 0;
  const payload = JSON.stringify(body);

  async function worker() {
    // Bounded: each worker takes request numbers until all `requests` are issued.
    while (next < requests) {
      const index = next++;
      const sent = options.headersFor ? { ...headers, ...options.headersFor(index) } : headers;
      const outcome = await one(url, payload, sent, timeoutMs, { isToken, isDone, requireDone });
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      if (outcome.ok) {
        ok++;
        tokens += outcome.tokens;
        if (outcome.ttftMs !== undefined) ttft.push(outcome.ttftMs);
        total.push(outcome.totalMs);
      }
    }
  }

  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const wallMs = performance.now() - started;
  return {
    requests,
    ok,
    failed: requests - ok,
    statuses,
    wallMs: round(wallMs),
    reqPerSec: round((ok / wallMs) * 1000),
    ttftMs: summarize(ttft),
    totalMs: summarize(total),
    tokens,
  };
}

/**
 * One streamed request, read to the end.
 * @param {string} url @param {string} payload @param {Record<string, string>} headers @param {number} timeoutMs
 * @param {Required<Pick<SseLoadOptions, 'isToken' | 'isDone' | 'requireDone'>>} tests
 */
async function one(url, payload, headers, timeoutMs, { isToken, isDone, requireDone }) {
  const started = performance.now();
  /** @type {number | undefined} */
  let ttftMs;
  let tokens = 0;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return { ok: false, status: String(res.status), tokens: 0, totalMs: 0 };
    }
    const decoder = new TextDecoder();
    let buffer = '';
    let done = false;
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      // Events end with a blank line; DeepSeek and our API both use LF line endings.
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const lines = buffer.slice(0, end).split('\n');
        const data = lines
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        const event = lines
          .find((line) => line.startsWith('event:'))
          ?.slice(6)
          .trim();
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        if (isDone(data, event)) done = true;
        else if (isToken(data, event)) {
          tokens++;
          ttftMs ??= performance.now() - started;
        }
      }
    }
    const complete = done || !requireDone;
    return {
      ok: complete,
      status: complete ? String(res.status) : 'cut',
      ttftMs,
      tokens,
      totalMs: performance.now() - started,
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'error';
    return { ok: false, status: name, tokens: 0, totalMs: 0 };
  }
}

/** @param {number[]} values @returns {Summary} */
function summarize(values) {
  if (values.length === 0) return { p50: NaN, p99: NaN, mean: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { p50: round(at(0.5)), p99: round(at(0.99)), mean: round(mean), max: round(sorted.at(-1) ?? NaN) };
}

const round = (/** @type {number} */ n) => Math.round(n * 10) / 10;
