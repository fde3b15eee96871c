/**
 * A Server-Sent Events parser following the WHATWG "event stream interpretation" rules, for reading
 * an upstream's `text/event-stream` body. Network chunks may end anywhere — inside a line, between
 * the CR and LF of a CRLF, even inside a multi-byte UTF-8 character — so every piece of state
 * survives between chunks.
 */

/** One dispatched event. `event` defaults to `message`, as the spec says. */
export type SseEvent = { event: string; data: string; id: string };

export type SseParserOptions = {
  /** Comment lines (`: keep-alive`) carry no data; callers may still want to count them. */
  onComment?: (text: string) => void;
  /** Longest line accepted, in characters; unbounded when absent. */
  maxLineChars?: number;
  /** Longest event data accepted, in characters; unbounded when absent. */
  maxEventChars?: number;
};

/** The stream broke a size limit; the parser's state is then unusable and the stream must end. */
export class SseLimitError extends Error {
  override name = 'SseLimitError';
  constructor(readonly limit: 'line' | 'event') {
    super(`SSE ${limit} exceeds its size limit`);
  }
}

const LF = 10;
const CR = 13;

export class SseParser {
  // A streaming decoder keeps the leading bytes of a character split across chunks. Its default
  // BOM handling drops one leading U+FEFF, which is what the spec asks of an event stream.
  private readonly decoder = new TextDecoder('utf-8');
  /** The current line so far: text received since the last line terminator. */
  private partial = '';
  /** The previous chunk ended in CR; a LF opening the next chunk belongs to the same CRLF. */
  private skipLeadingLf = false;
  private dataLines: string[] = [];
  /** Characters of the pending event's data, newlines between lines included. */
  private dataChars = 0;
  private eventType = '';
  private lastEventId = '';

  constructor(private readonly options: SseParserOptions = {}) {}

  /** Feeds bytes; returns the events they complete, in order. */
  push(bytes: Uint8Array): SseEvent[] {
    return this.pushText(this.decoder.decode(bytes, { stream: true }));
  }

  /**
   * Ends the stream. Per the spec an event not yet terminated by a blank line is discarded: a body
   * that stops mid-event is a cut connection, not a message.
   */
  end(): SseEvent[] {
    const events = this.pushText(this.decoder.decode());
    this.partial = '';
    this.dataLines = [];
    this.dataChars = 0;
    this.eventType = '';
    return events;
  }

  private pushText(input: string): SseEvent[] {
    const events: SseEvent[] = [];
    let text = input;
    if (this.skipLeadingLf && text.length > 0) {
      if (text.charCodeAt(0) === LF) text = text.slice(1);
      this.skipLeadingLf = false;
    }
    let lineStart = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code !== LF && code !== CR) continue;
      const line = this.partial + text.slice(lineStart, i);
      this.partial = '';
      this.checkLine(line.length);
      if (code === CR) {
        if (i + 1 === text.length) this.skipLeadingLf = true;
        else if (text.charCodeAt(i + 1) === LF) i++;
      }
      lineStart = i + 1;
      const event = this.processLine(line);
      if (event) events.push(event);
    }
    this.partial += text.slice(lineStart);
    // Checked per chunk, so an endless line costs at most the limit plus one network chunk.
    this.checkLine(this.partial.length);
    return events;
  }

  private checkLine(length: number): void {
    if (length > (this.options.maxLineChars ?? Number.POSITIVE_INFINITY)) throw new SseLimitError('line');
  }

  private processLine(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.charCodeAt(0) === 0x3a /* ':' */) {
      this.options.onComment?.(line.slice(1).trimStart());
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);

    switch (field) {
      case 'data':
        this.dataChars += value.length + (this.dataLines.length > 0 ? 1 : 0);
        if (this.dataChars > (this.options.maxEventChars ?? Number.POSITIVE_INFINITY)) {
          throw new SseLimitError('event');
        }
        this.dataLines.push(value);
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        // The spec ignores ids containing NUL, so a hostile stream cannot smuggle one in.
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      // `retry` only matters to a reconnecting EventSource; we never reconnect. Unknown fields are ignored.
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const hasData = this.dataLines.length > 0;
    const event: SseEvent = {
      event: this.eventType || 'message',
      data: this.dataLines.join('\n'),
      id: this.lastEventId,
    };
    this.dataLines = [];
    this.dataChars = 0;
    this.eventType = '';
    return hasData ? event : undefined;
  }
}

/** The parser as a stream stage: `body.pipeThrough(createSseStream())`. */
export function createSseStream(options: SseParserOptions = {}): TransformStream<Uint8Array, SseEvent> {
  const parser = new SseParser(options);
  return new TransformStream<Uint8Array, SseEvent>({
    transform(chunk, controller) {
      for (const event of parser.push(chunk)) controller.enqueue(event);
    },
    flush(controller) {
      for (const event of parser.end()) controller.enqueue(event);
    },
  });
}
