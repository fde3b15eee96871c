import { describe, expect, it, vi } from 'vitest';
import { cannedAnswer } from '../../../scripts/fake-deepseek/handler.mjs';
import { streamChatCompletion } from '../../../src/modules/provider/deepseek.client';
import { ProviderError } from '../../../src/modules/provider/provider.errors';
import { collectCompletion } from '../../helpers/collect-completion';
import { chatOptions, drain, startFake } from '../../helpers/fake-deepseek';

/** Everything the client logged in this test, one string per line. */
function captureLogs() {
  const lines: Array<{ level: string; line: string }> = [];
  for (const level of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((line: unknown) => {
      lines.push({ level, line: String(line) });
    });
  }
  return lines;
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

// Upstream wording that must never reach a client or a log line.
const upstreamText =
  /Insufficient Balance|Rate Limit|Server Overloaded|Server Error|api key|Authentication Fails|Invalid|deserialize/i;

describe('streamChatCompletion: upstream errors', () => {
  const cases = [
    { upstream: 400, code: 'UPSTREAM_REJECTED', status: 502, message: 'The assistant could not process this request.' },
    { upstream: 422, code: 'UPSTREAM_REJECTED', status: 502, message: 'The assistant could not process this request.' },
    { upstream: 401, code: 'ASSISTANT_UNAVAILABLE', status: 503, message: 'The assistant is temporarily unavailable.' },
    { upstream: 402, code: 'ASSISTANT_UNAVAILABLE', status: 503, message: 'The assistant is temporarily unavailable.' },
    {
      upstream: 429,
      code: 'UPSTREAM_BUSY',
      status: 429,
      message: 'Our systems are busy. Please try again in a minute.',
    },
    {
      upstream: 503,
      code: 'UPSTREAM_BUSY',
      status: 503,
      message: 'Our systems are busy. Please try again in a minute.',
    },
    {
      upstream: 500,
      code: 'UPSTREAM_ERROR',
      status: 502,
      message: "We're experiencing technical difficulties. Please try again shortly.",
    },
  ] as const;

  for (const c of cases) {
    it(`maps DeepSeek ${c.upstream} to ${c.code} (${c.status}) without leaking upstream text`, async () => {
      const logs = captureLogs();
      const fake = startFake({ status: c.upstream });
      const error = await failureOf(streamChatCompletion(chatOptions(fake, 'hello')));
      expect(error).toMatchObject({
        code: c.code,
        status: c.status,
        publicMessage: c.message,
        upstreamStatus: c.upstream,
      });
      expect(error.message).not.toMatch(upstreamText);
      expect(error.operatorProblem).toBe(c.upstream === 401 || c.upstream === 402);
      if (c.code === 'UPSTREAM_BUSY') expect(error.headers['Retry-After']).toBe('60');

      const failures = logs.filter((l) => l.line.includes('upstream failure'));
      expect(failures.length).toBe(fake.stats.requests);
      const final = failures.at(-1);
      expect(final?.level).toBe(error.operatorProblem || c.code === 'UPSTREAM_REJECTED' ? 'error' : 'warn');
      expect(JSON.parse(final?.line ?? '{}')).toMatchObject({
        status: c.upstream,
        code: c.code,
        attempt: fake.stats.requests,
      });
      for (const { line } of logs) {
        expect(line).not.toMatch(upstreamText);
        expect(line).not.toContain('sk-test-secret-key');
        expect(line).not.toContain('hello');
      }
    });
  }

  it('retries once on 503 and then streams the answer', async () => {
    const fake = startFake();
    const delays = vi.fn(() => 5);
    const options = chatOptions(fake, 'retry me [fake:status=503] [fake:fail-times=1]', { retryDelayMs: delays });
    const stream = await streamChatCompletion(options);
    const answer = await collectCompletion(stream);
    expect(answer.text).toBe(cannedAnswer('retry me'));
    expect(delays).toHaveBeenCalledTimes(1);
    expect(stream.timings.attempts).toBe(2);
    expect(fake.stats.requests).toBe(2);
  });

  it('retries 429 and 500 too, but only once', async () => {
    for (const status of [429, 500]) {
      const fake = startFake({ status, failTimes: 2 });
      const error = await failureOf(streamChatCompletion(chatOptions(fake, `twice ${status}`)));
      expect(error.upstreamStatus).toBe(status);
      expect(fake.stats.requests).toBe(2);
    }
  });

  it('does not retry a request the upstream refused as wrong or unpaid', async () => {
    for (const status of [400, 401, 402, 422]) {
      const fake = startFake({ status, failTimes: 1 });
      await failureOf(streamChatCompletion(chatOptions(fake, `once ${status}`)));
      expect(fake.stats.requests).toBe(1);
    }
  });

  it('retries once after a connection error', async () => {
    const fake = startFake();
    let calls = 0;
    const flaky = (request: Request) => {
      calls++;
      return calls === 1 ? Promise.reject(new TypeError('Network connection lost.')) : fake.fetch(request);
    };
    const answer = await collectCompletion(await streamChatCompletion(chatOptions(fake, 'flaky', { fetch: flaky })));
    expect(answer.text).toBe(cannedAnswer('flaky'));
    expect(calls).toBe(2);
  });

  it('gives up with UPSTREAM_ERROR when the connection fails twice', async () => {
    const fake = startFake();
    const down = vi.fn(() => Promise.reject(new TypeError('connect ECONNREFUSED')));
    const error = await failureOf(streamChatCompletion(chatOptions(fake, 'down', { fetch: down })));
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
    expect(down).toHaveBeenCalledTimes(2);
  });

  it('waits out the backoff within the total timeout', async () => {
    const fake = startFake({ status: 503 });
    const started = Date.now();
    const options = chatOptions(fake, 'slow retry', { retryDelayMs: () => 10_000, totalTimeoutMs: 200 });
    const error = await failureOf(streamChatCompletion(options));
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('times out even if the fetch in use ignores its abort signal', async () => {
    const fake = startFake();
    const hanging = () => new Promise<Response>(() => {});
    const options = chatOptions(fake, 'hang', { fetch: hanging, firstByteTimeoutMs: 100 });
    expect((await failureOf(streamChatCompletion(options))).code).toBe('UPSTREAM_TIMEOUT');
  });

  it('treats a 200 that is not an event stream as an upstream error', async () => {
    const fake = startFake();
    const html = async () => new Response('<html>gateway</html>', { headers: { 'content-type': 'text/html' } });
    const error = await failureOf(streamChatCompletion(chatOptions(fake, 'html', { fetch: html })));
    expect(error.code).toBe('UPSTREAM_ERROR');
  });

  it('treats a malformed chunk as an upstream error after the deltas before it', async () => {
    const fake = startFake();
    const broken = async (request: Request) => {
      const good = await fake.fetch(request);
      const text = (await good.text()).replace('data: [DONE]', 'data: {not json');
      return new Response(text, good);
    };
    const { events, error } = await drain(await streamChatCompletion(chatOptions(fake, 'oops', { fetch: broken })));
    expect(events.some((e) => e.type === 'delta')).toBe(true);
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR' });
  });

  it('refuses an uncapped max_tokens before calling anyone', async () => {
    const fake = startFake();
    const options = chatOptions(fake, 'x');
    options.body.max_tokens = Number.POSITIVE_INFINITY;
    await expect(streamChatCompletion(options)).rejects.toThrow(TypeError);
    expect(fake.stats.requests).toBe(0);
  });
});
