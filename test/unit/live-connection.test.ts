import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveConnection, type LiveEvent, LiveRefused, type LiveTicket, type SocketLike } from '../../web/src/live';

/** A socket the test drives: it opens, delivers frames and drops when told. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closedWith: number | undefined;
  private listeners = new Map<string, ((event: { data: unknown }) => void)[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: { data: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  send(text: string): void {
    this.sent.push(text);
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.fire('open', undefined);
  }
  deliver(event: object): void {
    this.fire('message', JSON.stringify(event));
  }
  drop(): void {
    this.readyState = 3;
    this.fire('close', undefined);
  }
  private fire(type: string, data: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener({ data });
  }
}

function harness(tickets: () => Promise<LiveTicket>) {
  const sockets: FakeSocket[] = [];
  const events: LiveEvent[] = [];
  const counts = { tickets: 0, resets: 0, firstOpens: 0 };
  const live = new LiveConnection({
    ticket: () => {
      counts.tickets++;
      return tickets();
    },
    onEvent: (event) => events.push(event),
    onReset: () => counts.resets++,
    onFirstOpen: () => counts.firstOpens++,
    open: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    base: 'https://support.example/app',
  });
  return { live, sockets, events, counts };
}

const message = (seq: number, id = `m${seq}`) => ({
  type: 'message',
  seq,
  conversationId: 'c1',
  message: { id, role: 'operator', content: 'hi', author: { name: 'Ana', role: 'moderator' }, createdAt: '' },
});

/** Lets the ticket promise and the connect that awaits it run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('live connection (web client and widget)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts after the seq its first ticket names, and resumes after the last seq seen with a fresh ticket', async () => {
    let n = 0;
    const { live, sockets, events, counts } = harness(async () => ({
      url: `wss://support.example/api/v1/live/conversations/c1?ticket=t${++n}`,
      seq: 7,
    }));
    live.start();
    await settle();
    expect(sockets[0]?.url).toBe('wss://support.example/api/v1/live/conversations/c1?ticket=t1&after=7');
    sockets[0]?.open();
    expect(counts.firstOpens).toBe(1);
    sockets[0]?.deliver(message(8));
    sockets[0]?.deliver(message(9));
    sockets[0]?.drop();
    // Backoff: nothing at once, a new ticket (never the used one) within the first step.
    await settle();
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(counts.tickets).toBe(2);
    expect(sockets[1]?.url).toBe('wss://support.example/api/v1/live/conversations/c1?ticket=t2&after=9');
    // The replay overlaps what already arrived: each event is handed on once.
    sockets[1]?.open();
    sockets[1]?.deliver(message(9));
    sockets[1]?.deliver(message(10));
    expect(events.map((event) => event.seq)).toEqual([8, 9, 10]);
    expect(counts.firstOpens).toBe(1);
    live.stop();
  });

  it('turns an http(s) or relative ticket URL into a ws(s) one on the same host', async () => {
    const { live, sockets } = harness(async () => ({ url: '/api/v1/live/inbox?ticket=abc' }));
    live.start();
    await settle();
    expect(sockets[0]?.url).toBe('wss://support.example/api/v1/live/inbox?ticket=abc&after=0');
    live.stop();
  });

  it('hands a reset to its owner (reload) and continues from the reset seq', async () => {
    let n = 0;
    const { live, sockets, events, counts } = harness(async () => ({ url: `wss://x.example/l?ticket=${++n}`, seq: 3 }));
    live.start();
    await settle();
    sockets[0]?.open();
    sockets[0]?.deliver({ type: 'reset', seq: 900 });
    expect(counts.resets).toBe(1);
    sockets[0]?.deliver(message(900));
    sockets[0]?.deliver(message(901));
    expect(events.map((event) => event.seq)).toEqual([901]);
    sockets[0]?.drop();
    await vi.advanceTimersByTimeAsync(600);
    expect(sockets[1]?.url).toContain('after=901');
    live.stop();
  });

  it('stops for good when the ticket is refused, and keeps trying (backing off) when the server is away', async () => {
    const refused = harness(async () => {
      throw new LiveRefused('403');
    });
    refused.live.start();
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(refused.counts.tickets).toBe(1);
    expect(refused.live.active).toBe(false);

    const away = harness(async () => {
      throw new TypeError('network');
    });
    away.live.start();
    await settle();
    // 0.25–0.5 s, 0.5–1 s, 1–2 s, 2–4 s: at most five tries in the first ~8 s, never a tight loop.
    await vi.advanceTimersByTimeAsync(8_000);
    expect(away.counts.tickets).toBeGreaterThanOrEqual(4);
    expect(away.counts.tickets).toBeLessThanOrEqual(6);
    away.live.stop();
    const after = away.counts.tickets;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(away.counts.tickets).toBe(after);
  });

  it('sends typing at most once every few seconds, and only on an open socket', async () => {
    const { live, sockets } = harness(async () => ({ url: 'wss://x.example/l?ticket=a', seq: 0 }));
    live.start();
    await settle();
    live.typing();
    expect(sockets[0]?.sent).toEqual([]);
    sockets[0]?.open();
    live.typing();
    live.typing();
    await vi.advanceTimersByTimeAsync(1_000);
    live.typing();
    expect(sockets[0]?.sent).toEqual(['{"type":"typing"}']);
    await vi.advanceTimersByTimeAsync(2_500);
    live.typing();
    expect(sockets[0]?.sent).toHaveLength(2);
    live.stop();
    expect(sockets[0]?.closedWith).toBe(1000);
  });
});
