import { describe, expect, it } from 'vitest';
import { createSseStream, type SseEvent, SseLimitError, SseParser } from '../../../src/modules/provider/sse-parser';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `input` to a fresh parser cut into pieces of `size` bytes (1 = every byte on its own). */
function parseInPieces(input: Uint8Array, size: number, comments: string[] = []): SseEvent[] {
  const parser = new SseParser({ onComment: (text) => comments.push(text) });
  const events: SseEvent[] = [];
  for (let i = 0; i < input.length; i += size) events.push(...parser.push(input.slice(i, i + size)));
  events.push(...parser.end());
  return events;
}

/** Every chunking from whole down to one byte at a time must give the same events. */
function expectSameForEveryChunking(input: string, expected: Array<Partial<SseEvent>>): void {
  const encoded = bytes(input);
  for (const size of [encoded.length || 1, 7, 3, 2, 1]) {
    const events = parseInPieces(encoded, size);
    expect(events, `chunk size ${size}`).toEqual(expected.map((e) => expect.objectContaining(e)));
  }
}

describe('SseParser', () => {
  it('dispatches one event per blank line, with the default event type', () => {
    expectSameForEveryChunking('data: one\n\ndata: two\n\n', [
      { event: 'message', data: 'one' },
      { event: 'message', data: 'two' },
    ]);
  });

  it('accepts LF, CRLF and lone CR line endings, even a CRLF split across chunks', () => {
    expectSameForEveryChunking('data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\n\n', [
      { data: 'a' },
      { data: 'b' },
      { data: 'c' },
      { data: 'd' },
    ]);
    // A CR ending one chunk and the LF opening the next are one line ending, not two (no empty event line).
    const parser = new SseParser();
    expect(parser.push(bytes('data: x\r'))).toEqual([]);
    expect(parser.push(bytes('\ndata: y\r\n\r\n'))).toEqual([{ event: 'message', data: 'x\ny', id: '' }]);
  });

  it('ignores comment lines such as keep-alives, reporting them to onComment', () => {
    const comments: string[] = [];
    const events = parseInPieces(bytes(': keep-alive\n\n: keep-alive\n\ndata: {"a":1}\n\n'), 1, comments);
    expect(events).toEqual([{ event: 'message', data: '{"a":1}', id: '' }]);
    expect(comments).toEqual(['keep-alive', 'keep-alive']);
  });

  it('strips exactly one leading space after the colon', () => {
    expectSameForEveryChunking('data:no-space\n\ndata:  two-spaces\n\ndata\n\n', [
      { data: 'no-space' },
      { data: ' two-spaces' },
      { data: '' },
    ]);
  });

  it('joins multi-line data with LF and honours event and id fields', () => {
    expectSameForEveryChunking('event: update\nid: 7\ndata: first\ndata: second\n\ndata: next\n\n', [
      { event: 'update', data: 'first\nsecond', id: '7' },
      // The event type resets after dispatch; the last event id persists, as in EventSource.
      { event: 'message', data: 'next', id: '7' },
    ]);
  });

  it('does not dispatch an event that has no data lines', () => {
    expectSameForEveryChunking('event: ping\n\nid: 3\n\nretry: 10\n\ndata: real\n\n', [
      { event: 'message', data: 'real', id: '3' },
    ]);
  });

  it('decodes multi-byte UTF-8 characters split across chunks', () => {
    const text = 'Grüße, 你好, 🙂 and é';
    expectSameForEveryChunking(`data: ${text}\n\n`, [{ data: text }]);
  });

  it('discards an event left unterminated when the stream ends', () => {
    expect(parseInPieces(bytes('data: done\n\ndata: half'), 1)).toEqual([{ event: 'message', data: 'done', id: '' }]);
    expect(parseInPieces(bytes('data: no blank line\n'), 1)).toEqual([]);
  });

  it('drops a leading byte-order mark', () => {
    expectSameForEveryChunking('\uFEFFdata: x\n\n', [{ data: 'x' }]);
  });

  it('works as a TransformStream stage', async () => {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of bytes(': hi\r\ndata: α\r\n\r\ndata: [DONE]\r\n\r\n')) controller.enqueue(new Uint8Array([b]));
        controller.close();
      },
    });
    const reader = source.pipeThrough(createSseStream()).getReader();
    const seen: string[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) seen.push(r.value.data);
    expect(seen).toEqual(['α', '[DONE]']);
  });
  it('refuses a line longer than its cap, whether it arrives whole or never ends', () => {
    const limited = () => new SseParser({ maxLineChars: 100 });
    expect(limited().push(bytes(`data: ${'x'.repeat(94)}\n\n`))).toHaveLength(1);
    expect(() => limited().push(bytes(`data: ${'x'.repeat(95)}\n\n`))).toThrow(SseLimitError);
    // No newline ever: the parser must give up once the line passes the cap, not keep collecting.
    const endless = limited();
    let fed = 0;
    expect(() => {
      for (;;) {
        endless.push(bytes('x'.repeat(30)));
        fed += 30;
      }
    }).toThrow(expect.objectContaining({ limit: 'line' }));
    expect(fed).toBeLessThanOrEqual(100);
  });

  it('refuses an event whose data lines together pass the event cap', () => {
    const parser = new SseParser({ maxLineChars: 100, maxEventChars: 250 });
    const line = `data: ${'y'.repeat(60)}\n`;
    expect(parser.push(bytes(`${line.repeat(4)}\n`))).toEqual([expect.objectContaining({ data: expect.any(String) })]);
    // The cap is per event: the one above (4 × 60 + 3 newlines) reset the count when dispatched.
    expect(() => parser.push(bytes(line.repeat(5)))).toThrow(expect.objectContaining({ limit: 'event' }));
  });
});
