import { describe, expect, it, vi } from 'vitest';
import { cannedAnswer, cannedReasoning } from '../../../scripts/fake-deepseek/handler.mjs';
import { streamChatCompletion } from '../../../src/modules/provider/deepseek.client';
import { defaultStreamLimits } from '../../../src/modules/provider/stream-limits';
import { chatOptions, drain, startFake, textOf } from '../../helpers/fake-deepseek';

const encoder = new TextEncoder();
const sse = { headers: { 'content-type': 'text/event-stream' } };

/** An upstream body that yields `pieces` one read at a time, counting what was actually pulled from it. */
function upstream(pieces: Iterable<string>) {
  const counter = { pulled: 0, cancelled: false };
  const iterator = pieces[Symbol.iterator]();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = iterator.next();
      if (next.done) return controller.close();
      counter.pulled += next.value.length;
      controller.enqueue(encoder.encode(next.value));
    },
    cancel() {
      counter.cancelled = true;
    },
  });
  return { counter, fetch: async () => new Response(body, sse) };
}

function* repeat(text: string, times: number) {
  for (let i = 0; i < times; i++) yield text;
}

describe('streamChatCompletion: size limits', () => {
  it('ends the turn with UPSTREAM_ERROR on a line that never ends, having read little past the cap', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    // 8 MiB of one line with no newline: without a cap it would all be held, then dropped as a cut stream.
    const { counter, fetch } = upstream(['data: {"choices":[{"delta":{"content":"', ...repeat('x'.repeat(4096), 2048)]);
    const { events, error } = await drain(await streamChatCompletion(chatOptions(startFake(), 'hi', { fetch })));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
    expect(counter.pulled).toBeLessThan(defaultStreamLimits.maxLineChars + 3 * 4096);
    expect(counter.cancelled).toBe(true);
  });

  it('ends the turn with UPSTREAM_ERROR on one huge event made of short data lines', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    // Valid JSON split over many lines, each under the line cap: only the event cap can stop it.
    const padding = repeat(`data: ,"pad":"${'p'.repeat(1000)}"\n`, 2000);
    const { counter, fetch } = upstream([
      'data: {"choices":[{"delta":{"content":"ok"}}]\n',
      ...padding,
      'data: }\n\n',
      'data: [DONE]\n\n',
    ]);
    const { events, error } = await drain(await streamChatCompletion(chatOptions(startFake(), 'hi', { fetch })));
    expect(textOf(events)).toBe('');
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(counter.pulled).toBeLessThan(defaultStreamLimits.maxEventChars + 3 * 1024);
    expect(counter.cancelled).toBe(true);
  });

  it('stops an answer longer than its cap, counting reasoning, after delivering what fits', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fake = startFake();
    const cap = 40;
    const limits = { ...defaultStreamLimits, maxAnswerChars: cap };
    const { events, error } = await drain(await streamChatCompletion(chatOptions(fake, 'hi', { limits })));
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(textOf(events).length).toBeLessThanOrEqual(cap);
    expect(cannedAnswer('hi').startsWith(textOf(events))).toBe(true);
    await vi.waitFor(() => expect(fake.stats.aborted).toBe(1));

    // The answer alone fits; with the reasoning before it, it does not.
    const options = chatOptions(startFake(), 'hi', {
      limits: { ...defaultStreamLimits, maxAnswerChars: cannedAnswer('hi').length + 5 },
    });
    options.body.thinking = { enabled: true, effort: 'high' };
    expect(cannedReasoning('hi').length).toBeGreaterThan(5);
    const thinking = await drain(await streamChatCompletion(options));
    expect(thinking.error).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(textOf(thinking.events)).not.toBe(cannedAnswer('hi'));
  });

  it('lets an answer of exactly the cap through', async () => {
    const limits = { ...defaultStreamLimits, maxAnswerChars: cannedAnswer('hi').length };
    const { events, error } = await drain(await streamChatCompletion(chatOptions(startFake(), 'hi', { limits })));
    expect(error).toBeUndefined();
    expect(textOf(events)).toBe(cannedAnswer('hi'));
  });
});
