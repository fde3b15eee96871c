import { log } from '../../lib/logger';
import { eventsFromChunk, MalformedChunkError } from './deepseek.chunks';
import { deepseekProvider, type ProviderConfig, providerUrl } from './deepseek.config';
import { deepseekRequestBody } from './deepseek.request';
import type { ChatCompletionBody, ProviderEvent } from './deepseek.types';
import { isRetryableStatus, ProviderError, type ProviderErrorCode, providerErrorForStatus } from './provider.errors';
import { type SseEvent, SseLimitError, SseParser } from './sse-parser';
import { defaultStreamLimits, type StreamLimits } from './stream-limits';
import { ToolCallAssembler, ToolCallLimitError } from './tool-calls';
import { UpstreamDeadline } from './upstream-deadline';

/** The one thing the client needs from `fetch`; the fake DeepSeek's handler has exactly this shape. */
export type FetchLike = (request: Request) => Promise<Response>;

export type StreamChatCompletionOptions = {
  /** e.g. `https://api.deepseek.com` or the local fake's `http://127.0.0.1:8788`. */
  baseUrl: string;
  apiKey: string;
  body: ChatCompletionBody;
  /** The client request's signal: when the user goes away, the upstream call is aborted. */
  signal?: AbortSignal;
  /** Budget until the first token (or finish); keep-alive comments do not stop this clock. */
  firstByteTimeoutMs: number;
  /** Budget for the whole call, retries and streaming included. */
  totalTimeoutMs: number;
  fetch?: FetchLike;
  /** Backoff before the single retry; 250–500 ms with jitter by default, spreading retries out. */
  retryDelayMs?: () => number;
  /** Correlates our failure log lines with the access log. */
  requestId?: string;
  provider?: ProviderConfig;
  /** What the upstream may make us hold; exceeding one ends the call with `UPSTREAM_ERROR`. */
  limits?: StreamLimits;
};

export type ChatCompletionTimings = {
  attempts: number;
  /** Milliseconds from the call to the upstream's response headers. */
  headersMs?: number;
  /** Milliseconds from the call to the first token: time to first token as a user feels it. */
  firstTokenMs?: number;
  /** Milliseconds from the call to `[DONE]`. */
  totalMs?: number;
  /** Keep-alive comments seen while queued. */
  keepalives: number;
};

/**
 * The events of one completion. Iterate it once, to the end (or break out: that closes the upstream).
 * Errors surface as a thrown `ProviderError` after the events already delivered; a caller abort
 * rethrows the signal's reason. A stream that will never be iterated must be `cancel()`ed.
 */
export type ChatCompletionStream = AsyncIterable<ProviderEvent> & {
  readonly timings: Readonly<ChatCompletionTimings>;
  cancel(): void;
};

const maxAttempts = 2;
const defaultRetryDelayMs = () => 250 + Math.random() * 250;
const defaultFetch: FetchLike = (request) => fetch(request);

/**
 * Starts a streamed chat completion. Resolves once the upstream has accepted the request (status
 * 200), so a route can still answer an upstream refusal with a proper HTTP status; rejects with a
 * `ProviderError` otherwise. Retries once, before any byte of an answer, on a connection error or a
 * 429/500/503; never after streaming began (the answer would be billed twice and could differ).
 */
export async function streamChatCompletion(options: StreamChatCompletionOptions): Promise<ChatCompletionStream> {
  const { body, firstByteTimeoutMs, totalTimeoutMs } = options;
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) throw new TypeError('max_tokens must be capped');
  if (!(firstByteTimeoutMs > 0 && totalTimeoutMs > 0)) throw new TypeError('timeouts must be positive');
  if (body.thinking.enabled && body.tools?.length) throw new TypeError('tools are offered without thinking only');

  const provider = options.provider ?? deepseekProvider;
  const doFetch = options.fetch ?? defaultFetch;
  const started = Date.now();
  const timings: ChatCompletionTimings = { attempts: 0, keepalives: 0 };
  const deadline = new UpstreamDeadline({
    callerSignal: options.signal,
    firstTokenTimeoutMs: firstByteTimeoutMs,
    totalTimeoutMs,
  });
  /** The status of the latest upstream response, logged with any failure (200 for one cut mid-stream). */
  let upstreamStatus: number | undefined;
  const report = (level: 'warn' | 'error' | 'info', msg: string, fields: Record<string, unknown>) =>
    log(level, msg, {
      status: upstreamStatus,
      provider: provider.id,
      requestId: options.requestId,
      model: body.model,
      thinking: body.thinking.enabled,
      attempt: timings.attempts,
      elapsedMs: Date.now() - started,
      headersMs: timings.headersMs,
      firstTokenMs: timings.firstTokenMs,
      keepalives: timings.keepalives,
      ...fields,
    });
  /** Turns whatever stopped the call into what the caller should see, logging failures once. */
  const fail = (error: unknown): unknown => {
    // The caller cancelled the stream itself: a read it interrupted is not an upstream failure.
    if (deadline.released) return new DOMException('The stream was cancelled.', 'AbortError');
    deadline.dispose();
    if (deadline.timedOut) {
      const timeout = new ProviderError('UPSTREAM_TIMEOUT', { cause: deadline.timedOut });
      report('warn', 'upstream failure', { code: timeout.code, timeout: deadline.timedOut });
      return timeout;
    }
    if (deadline.abortedByCaller()) {
      report('info', 'upstream call aborted by client', {});
      return options.signal?.reason;
    }
    const failure = error instanceof ProviderError ? error : new ProviderError('UPSTREAM_ERROR', { cause: error });
    // Rejected requests mean our request or configuration (e.g. a retired model id) is wrong: page someone.
    const level = failure.operatorProblem || failure.code === 'UPSTREAM_REJECTED' ? 'error' : 'warn';
    report(level, 'upstream failure', {
      code: failure.code,
      // The cause's class only: its message may quote upstream text.
      cause: failure.cause instanceof Error ? failure.cause.name : undefined,
    });
    return failure;
  };

  const payload = JSON.stringify(deepseekRequestBody(body));
  const url = providerUrl(options.baseUrl, provider.chatCompletionsPath);
  const backoff = async (reason: ProviderError) => {
    report('warn', 'upstream failure', { code: reason.code, retrying: true });
    try {
      await deadline.sleep((options.retryDelayMs ?? defaultRetryDelayMs)());
    } catch (error) {
      throw fail(error);
    }
  };

  for (;;) {
    timings.attempts++;
    upstreamStatus = undefined;
    const request = new Request(url, {
      method: 'POST',
      headers: provider.headers(options.apiKey),
      body: payload,
      signal: deadline.signal,
    });
    let answer: Response;
    try {
      const pending = doFetch(request);
      // If the deadline wins the race, a response arriving later must still release its connection.
      pending
        .then((late) => {
          if (deadline.signal.aborted) late.body?.cancel().catch(() => {});
        })
        .catch(() => {});
      answer = await deadline.race(pending);
      upstreamStatus = answer.status;
    } catch (error) {
      if (deadline.signal.aborted || timings.attempts >= maxAttempts) throw fail(error);
      // fetch itself threw (DNS, refused or reset connection): worth one more try.
      await backoff(new ProviderError('UPSTREAM_ERROR', { cause: error }));
      continue;
    }

    if (answer.ok && answer.body && isEventStream(answer)) {
      timings.headersMs = Date.now() - started;
      const upstreamBody: ReadableStream<Uint8Array> = answer.body;
      const limits = options.limits ?? defaultStreamLimits;
      const events = relay(upstreamBody, deadline, timings, started, fail, limits);
      return Object.assign(events, {
        timings,
        cancel: () => {
          deadline.dispose();
          // Before iteration starts the body is unlocked and ours to cancel; after, relay's finally does it.
          if (!upstreamBody.locked) upstreamBody.cancel().catch(() => {});
          void events.return(undefined);
        },
      });
    }
    // The upstream's error body is never read: its text must not reach clients or logs.
    await answer.body?.cancel().catch(() => {});
    if (answer.ok) throw fail(new ProviderError('UPSTREAM_ERROR', { upstreamStatus: answer.status }));
    const mapped = providerErrorForStatus(answer.status);
    if (!isRetryableStatus(answer.status) || timings.attempts >= maxAttempts) throw fail(mapped);
    await backoff(mapped);
  }
}

function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').toLowerCase().includes('text/event-stream');
}

/**
 * Reads the upstream body and yields each event the moment its chunk is parsed: nothing is awaited
 * between a network chunk and the events it carries, so the relay adds no buffering of its own.
 */
async function* relay(
  body: ReadableStream<Uint8Array>,
  deadline: UpstreamDeadline,
  timings: ChatCompletionTimings,
  started: number,
  fail: (error: unknown) => unknown,
  limits: StreamLimits,
): AsyncGenerator<ProviderEvent, void, undefined> {
  const reader = body.getReader();
  const parser = new SseParser({
    onComment: () => {
      timings.keepalives++;
    },
    maxLineChars: limits.maxLineChars,
    maxEventChars: limits.maxEventChars,
  });
  let answerChars = 0;
  const toolCalls = new ToolCallAssembler(limits);
  try {
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await deadline.race(reader.read());
      } catch (error) {
        // A timeout or caller abort, or the connection broke mid-answer.
        throw deadline.signal.aborted ? fail(error) : fail(streamError('UPSTREAM_STREAM_CUT', error));
      }
      let messages: SseEvent[];
      try {
        messages = read.done ? parser.end() : parser.push(read.value);
      } catch (error) {
        if (!(error instanceof SseLimitError)) throw error;
        throw fail(streamError('UPSTREAM_ERROR', error));
      }
      // What one network read carried arrived together, so it leaves together: adjacent text pieces
      // become one delta (one write downstream instead of one per token), and nothing waits longer.
      const batch: ProviderEvent[] = [];
      let stop: { done: true } | { error: unknown } | undefined;
      for (const message of messages) {
        if (message.event === 'error') {
          stop = { error: fail(streamError('UPSTREAM_ERROR')) };
          break;
        }
        if (message.event !== 'message') continue;
        if (message.data === '[DONE]') {
          timings.totalMs = Date.now() - started;
          stop = { done: true };
          break;
        }
        try {
          for (const event of eventsFromChunk(message.data, toolCalls)) {
            if (event.type === 'delta' || event.type === 'reasoning') answerChars += event.text.length;
            // An upstream that never stops (max_tokens ignored, a loop) costs us memory downstream.
            if (answerChars > limits.maxAnswerChars) throw new AnswerTooLongError();
            appendMerged(batch, event);
          }
        } catch (error) {
          const tooMuch = error instanceof AnswerTooLongError || error instanceof ToolCallLimitError;
          if (!(error instanceof MalformedChunkError || tooMuch)) throw error;
          stop = { error: fail(streamError('UPSTREAM_ERROR', error)) };
          break;
        }
      }
      for (const event of batch) {
        if (deadline.waitingForFirstToken && event.type !== 'usage') {
          deadline.firstTokenArrived();
          timings.firstTokenMs = Date.now() - started;
        }
        yield event;
      }
      if (stop && 'done' in stop) return;
      if (stop) throw stop.error;
      // The body ended without `[DONE]`: whatever was delivered is all there will be.
      if (read.done) throw fail(streamError('UPSTREAM_STREAM_CUT'));
    }
  } finally {
    // Normal end, error, or the caller stopped iterating: in every case release the upstream.
    deadline.dispose();
    reader.cancel().catch(() => {});
  }
}

/** Appends `event`, joining it to the previous one when both are text of the same kind. */
function appendMerged(batch: ProviderEvent[], event: ProviderEvent): void {
  const last = batch.at(-1);
  if (last && (last.type === 'delta' || last.type === 'reasoning') && last.type === event.type) {
    batch[batch.length - 1] = { ...last, text: last.text + event.text };
  } else batch.push(event);
}

class AnswerTooLongError extends Error {
  override name = 'AnswerTooLongError';
}

function streamError(code: ProviderErrorCode, cause?: unknown): ProviderError {
  return new ProviderError(code, { cause });
}
