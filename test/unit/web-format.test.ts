import { describe, expect, it } from 'vitest';
import { parseBlocks, parseInline } from '../../web/src/format';
import { SseParser } from '../../web/src/sse';

describe('web client answer formatting', () => {
  it('keeps markup in model text as plain text', () => {
    const blocks = parseBlocks('<img src=x onerror=alert(1)> **<b>hi</b>**');
    expect(blocks).toEqual([
      {
        kind: 'paragraph',
        lines: [
          [
            { kind: 'text', text: '<img src=x onerror=alert(1)> ' },
            { kind: 'bold', text: '<b>hi</b>' },
          ],
        ],
      },
    ]);
  });

  it('splits paragraphs on blank lines and keeps single line breaks', () => {
    const blocks = parseBlocks('one\ntwo\n\nthree');
    expect(blocks.map((b) => b.kind)).toEqual(['paragraph', 'paragraph']);
    expect(blocks[0]).toMatchObject({ lines: [[{ text: 'one' }], [{ text: 'two' }]] });
  });

  it('turns dash and numbered lines into lists', () => {
    const blocks = parseBlocks('Steps:\n- first\n- second\n1. a\n2. b');
    expect(blocks).toMatchObject([
      { kind: 'paragraph' },
      { kind: 'list', ordered: false, items: [[{ text: 'first' }], [{ text: 'second' }]] },
      { kind: 'list', ordered: true },
    ]);
  });

  it('formats nothing inside code spans', () => {
    expect(parseInline('run `**x**` now')).toEqual([
      { kind: 'text', text: 'run ' },
      { kind: 'code', text: '**x**' },
      { kind: 'text', text: ' now' },
    ]);
  });

  it('shows an unclosed code fence that is still streaming in', () => {
    expect(parseBlocks('```\nnpm test')).toEqual([{ kind: 'pre', text: 'npm test' }]);
  });
});

describe('web client SSE parser', () => {
  it('parses named events split across chunks and any line ending', () => {
    const parser = new SseParser();
    const events = [
      ...parser.push('event: meta\r\ndata: {"a":'),
      ...parser.push('1}\r'),
      ...parser.push('\n\r\n: keep-alive\n\nevent: delta\ndata: {"text":"hi"}\n\n'),
    ];
    expect(events).toEqual([
      { event: 'meta', data: '{"a":1}' },
      { event: 'delta', data: '{"text":"hi"}' },
    ]);
  });

  it('joins multi-line data and defaults the event name', () => {
    const parser = new SseParser();
    expect(parser.push('data: one\ndata:two\n\n')).toEqual([{ event: 'message', data: 'one\ntwo' }]);
  });

  it('drops an event whose blank line never came', () => {
    const parser = new SseParser();
    expect(parser.push('event: done\ndata: {}')).toEqual([]);
    expect(parser.end()).toEqual([]);
  });
});
