import { describe, expect, it, vi } from 'vitest';
import { cannedAnswer, cannedReasoning } from '../../../scripts/fake-deepseek/handler.mjs';
import { streamChatCompletion } from '../../../src/modules/provider/deepseek.client';
import { ProviderError } from '../../../src/modules/provider/provider.errors';
import { collectCompletion } from '../../helpers/collect-completion';
import { chatOptions, drain, FAKE_BASE_URL, startFake, textOf } from '../../helpers/fake-deepseek';

describe('streamChatCompletion: streaming', () => {
  it('relays deltas in order, then usage and finish, and sends the request DeepSeek expects', async () => {
    const fake = startFake();
    const stream = await streamChatCompletion(chatOptions(fake, 'Where is my parcel?'));
    const { events, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe(cannedAnswer('Where is my parcel?'));
    expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(10);
    expect(events.slice(-2)).toEqual([
      {
        type: 'usage',
        usage: {
          promptTokens: expect.any(Number),
          completionTokens: expect.any(Number),
          totalTokens: expect.any(Number),
          promptCacheHitTokens: expect.any(Number),
          promptCacheMissTokens: expect.any(Number),
        },
      },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(stream.timings).toMatchObject({
      attempts: 1,
      firstTokenMs: expect.any(Number),
      totalMs: expect.any(Number),
    });

    const sent = fake.stats.lastRequest;
    expect(sent?.headers.get('authorization')).toBe('Bearer sk-test-secret-key');
    expect(sent?.body).toMatchObject({
      model: 'deepseek-flash',
      thinking: { type: 'disabled' },
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 256,
      user_id: 'hashed-user-1',
    });
    // Ended cleanly at [DONE]: the upstream saw a complete answer, not an abort.
    expect(fake.stats).toMatchObject({ completed: 1, aborted: 0 });
  });

  it('yields each chunk as it arrives instead of waiting for the rest', async () => {
    const fake = startFake({ tokenDelayMs: 200 });
    const stream = await streamChatCompletion(chatOptions(fake, 'hello'));
    for await (const event of stream) {
      if (event.type === 'delta') break;
    }
    // The first token is in hand while the fake is still producing the rest.
    expect(fake.stats.completed).toBe(0);
  });

  it('keeps reasoning apart from the answer for thinking models', async () => {
    const fake = startFake();
    const options = chatOptions(fake, 'Can I get a refund?');
    options.body.thinking = { enabled: true, effort: 'max' };
    options.body.temperature = 0.2;
    const { events } = await drain(await streamChatCompletion(options));
    expect(fake.stats.lastRequest?.body).toMatchObject({ thinking: { type: 'enabled' }, reasoning_effort: 'max' });
    // Thinking ignores temperature, so it is not sent.
    expect(fake.stats.lastRequest?.body).not.toHaveProperty('temperature');
    expect(textOf(events, 'reasoning')).toBe(cannedReasoning('Can I get a refund?'));
    expect(textOf(events)).toBe(cannedAnswer('Can I get a refund?'));
    expect(events.findLastIndex((e) => e.type === 'reasoning')).toBeLessThan(
      events.findIndex((e) => e.type === 'delta'),
    );
    expect(events.find((e) => e.type === 'usage')).toMatchObject({ usage: { reasoningTokens: expect.any(Number) } });
  });

  it('reports finish "length" when max_tokens cuts the answer', async () => {
    const fake = startFake();
    const options = chatOptions(fake, 'hi');
    options.body.max_tokens = 4;
    const answer = await collectCompletion(await streamChatCompletion(options));
    expect(answer).toMatchObject({ text: 'Thanks for your message', finishReason: 'length' });
    expect(answer.usage?.completionTokens).toBe(4);
  });

  it('decodes UTF-8 characters split across network chunks', async () => {
    const fake = startFake();
    const message = 'Grüße — 你好 🙂 ça va';
    // Re-chunk the upstream body into single bytes, the worst split a network can produce.
    const byteByByte = async (request: Request) => {
      const response = await fake.fetch(request);
      const split = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          for (const byte of chunk) controller.enqueue(new Uint8Array([byte]));
        },
      });
      return new Response(response.body?.pipeThrough(split), response);
    };
    const answer = await collectCompletion(
      await streamChatCompletion(chatOptions(fake, message, { fetch: byteByByte })),
    );
    expect(answer.text).toBe(cannedAnswer(message));
    expect(answer.text).toContain('你好 🙂');
  });

  it('delivers the tokens of one network read as one delta, and a cut after them still ends in an error', async () => {
    const fake = startFake();
    // The whole answer in one read, as a busy connection or a fast upstream delivers it.
    const inOneRead = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
    const sse = { headers: { 'content-type': 'text/event-stream' } };
    const oneRead = async (request: Request) => new Response(inOneRead(await (await fake.fetch(request)).text()), sse);
    const { events, error } = await drain(
      await streamChatCompletion(chatOptions(fake, 'all at once', { fetch: oneRead })),
    );
    expect(error).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['delta', 'usage', 'finish']);
    expect(textOf(events)).toBe(cannedAnswer('all at once'));

    // The same read, broken off before [DONE] by a malformed chunk: the text still arrives first.
    const broken = async (request: Request) => {
      const text = await (await fake.fetch(request)).text();
      const cut = `${text.slice(0, text.indexOf('"finish_reason":"stop"'))}\n\ndata: {not json\n\n`;
      return new Response(inOneRead(cut), sse);
    };
    const partial = await drain(await streamChatCompletion(chatOptions(fake, 'all at once', { fetch: broken })));
    expect(partial.events.map((e) => e.type)).toEqual(['delta']);
    expect(partial.error).toMatchObject({ code: 'UPSTREAM_ERROR' });
  });

  it('ignores keep-alive comments while queued and does not count them as the first token', async () => {
    const fake = startFake({ firstTokenDelayMs: 300, keepaliveMs: 20 });
    const stream = await streamChatCompletion(chatOptions(fake, 'queued', { firstByteTimeoutMs: 1_000 }));
    const { events, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe(cannedAnswer('queued'));
    expect(stream.timings.keepalives).toBeGreaterThanOrEqual(10);
  });

  it('times out on the first token even while keep-alives keep arriving', async () => {
    const fake = startFake({ firstTokenDelayMs: 5_000, keepaliveMs: 20 });
    const started = Date.now();
    const stream = await streamChatCompletion(chatOptions(fake, 'stuck', { firstByteTimeoutMs: 150 }));
    const { events, error } = await drain(stream);
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stream.timings.keepalives).toBeGreaterThan(2);
    await vi.waitFor(() => expect(fake.stats.aborted).toBe(1));
  });

  it('bounds the whole answer with the total timeout, after the deltas already delivered', async () => {
    const fake = startFake({ tokenDelayMs: 40 });
    const stream = await streamChatCompletion(chatOptions(fake, 'slow', { totalTimeoutMs: 300 }));
    const { events, error } = await drain(stream);
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    const text = textOf(events);
    expect(text.length).toBeGreaterThan(0);
    expect(cannedAnswer('slow').startsWith(text)).toBe(true);
    expect(text).not.toBe(cannedAnswer('slow'));
  });

  it('surfaces a stream cut mid-way as an error after the partial deltas, without retrying', async () => {
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fake = startFake({ cutAfter: 3 });
    const { events, error } = await drain(await streamChatCompletion(chatOptions(fake, 'cut me')));
    expect(textOf(events)).toBe('Thanks for your');
    expect(events.some((e) => e.type === 'finish')).toBe(false);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'UPSTREAM_STREAM_CUT', status: 502 });
    expect(fake.stats.requests).toBe(1);
    expect(warnings).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(warnings.mock.calls[0]?.[0]))).toMatchObject({
      msg: 'upstream failure',
      code: 'UPSTREAM_STREAM_CUT',
      status: 200,
      attempt: 1,
      firstTokenMs: expect.any(Number),
    });
  });

  it('aborts the upstream when the caller’s signal aborts mid-stream', async () => {
    const fake = startFake({ tokenDelayMs: 50 });
    const client = new AbortController();
    const stream = await streamChatCompletion(chatOptions(fake, 'bye', { signal: client.signal }));
    const seen: string[] = [];
    let error: unknown;
    try {
      for await (const event of stream) {
        if (event.type === 'delta') seen.push(event.text);
        if (seen.length === 2) client.abort(new Error('client went away'));
      }
    } catch (caught) {
      error = caught;
    }
    expect(seen).toHaveLength(2);
    expect(error).toMatchObject({ message: 'client went away' });
    await vi.waitFor(() => expect(fake.stats.aborted).toBe(1));
    expect(fake.stats.completed).toBe(0);
  });

  it('aborts while queued, before any token', async () => {
    const fake = startFake({ firstTokenDelayMs: 5_000, keepaliveMs: 20 });
    const client = new AbortController();
    const stream = await streamChatCompletion(chatOptions(fake, 'bye', { signal: client.signal }));
    setTimeout(() => client.abort(new Error('tab closed')), 60);
    const { events, error } = await drain(stream);
    expect(events).toEqual([]);
    expect(error).toMatchObject({ message: 'tab closed' });
    await vi.waitFor(() => expect(fake.stats.aborted).toBe(1));
  });

  it('releases the upstream when the caller stops iterating early', async () => {
    const fake = startFake({ tokenDelayMs: 20 });
    const stream = await streamChatCompletion(chatOptions(fake, 'enough'));
    for await (const event of stream) if (event.type === 'delta') break;
    await vi.waitFor(() => expect(fake.stats.aborted).toBe(1));
  });

  it('releases the upstream when a stream that was never iterated is cancelled', async () => {
    const fake = startFake({ tokenDelayMs: 20 });
    const stream = await streamChatCompletion(chatOptions(fake, 'never mind'));
    stream.cancel();
    await vi.waitFor(() => expect(fake.stats.aborted).toBe(1));
  });

  it('treats cancel() during a pending read as a cancellation, not an upstream failure', async () => {
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fake = startFake({ firstTokenDelayMs: 5_000, keepaliveMs: 1_000 });
    const stream = await streamChatCompletion(chatOptions(fake, 'cancel me'));
    const pending = stream[Symbol.asyncIterator]().next();
    setTimeout(() => stream.cancel(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(warnings).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(fake.stats.aborted).toBe(1));
  });

  it('calls the global fetch when none is injected, so a test can route it to the fake', async () => {
    const fake = startFake();
    const routed = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      if (!(input instanceof Request) || !input.url.startsWith(FAKE_BASE_URL)) throw new Error('unexpected fetch');
      return fake.fetch(input);
    });
    const options = chatOptions(fake, 'default fetch');
    delete options.fetch;
    const answer = await collectCompletion(await streamChatCompletion(options));
    expect(answer.text).toBe(cannedAnswer('default fetch'));
    expect(routed).toHaveBeenCalledTimes(1);
    const [sent] = routed.mock.calls[0] ?? [];
    expect(sent instanceof Request && sent.url).toBe(`${FAKE_BASE_URL}/chat/completions`);
  });
});
