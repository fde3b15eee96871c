/**
 * The live connection to a conversation or the operators' inbox, shared by the web client and the widget.
 * Browsers cannot put an Authorization header on a WebSocket, so every connect starts with a fresh
 * single-use ticket (a POST that does carry it); a reconnect passes the last `seq` it saw and gets what it
 * missed. No polling: when the socket drops it comes back with backoff, and a `reset` (the server no
 * longer holds what we missed) makes the owner reload from the REST API.
 */
export type ConversationState = 'bot' | 'waiting' | 'with_operator' | 'resolved';
export type OperatorView = { id: string; displayName: string; role: string };
export type LiveMessage = {
  id: string;
  role: 'user' | 'assistant' | 'operator' | 'system';
  content: string;
  author: { name: string; role: string } | null;
  /** System messages: what the notice means (`nobody_available`: nobody came in time; offer to leave an email). */
  notice?: 'nobody_available' | null;
  createdAt: string;
};

export type LiveEvent<Item = unknown> =
  | { type: 'message'; seq: number; conversationId: string; message: LiveMessage }
  | {
      type: 'state';
      seq: number;
      conversationId: string;
      state: ConversationState;
      assignedTo: OperatorView | null;
      item?: Item | null;
    }
  | { type: 'typing'; seq: number; conversationId: string; from: 'customer' | 'operator'; name?: string }
  | { type: 'reset'; seq: number; conversationId?: string };

/** Thrown by a ticket source when asking again cannot help (403, 404, …): the connection stops. */
export class LiveRefused extends Error {
  override name = 'LiveRefused';
}

export type LiveTicket = { url: string; seq?: number };

/** The part of a WebSocket this module uses (tests pass a fake). */
export type SocketLike = {
  readonly readyState: number;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
};

export type LiveOptions<Item> = {
  /** Asks the API for a single-use WebSocket URL and the channel's `seq` when it was issued. */
  ticket(): Promise<LiveTicket>;
  onEvent(event: LiveEvent<Item>): void;
  /** The server could not replay what we missed: reload from the REST API. */
  onReset(): void;
  onStatus?(status: 'open' | 'reconnecting' | 'stopped'): void;
  /**
   * The first socket is open. Events from the ticket's `seq` on arrive live; a view whose REST load may have
   * raced the ticket loads again here, so nothing published in between is missed.
   */
  onFirstOpen?(): void;
  /** Opens the socket; a browser WebSocket unless a test passes its own. */
  open?(url: string): SocketLike;
  /** Resolves a relative ticket URL; the page's address by default. */
  base?: string;
};

const OPEN = 1;

const MAX_BACKOFF_MS = 30_000;
const TYPING_EVERY_MS = 3_000;

export class LiveConnection<Item = unknown> {
  private socket: SocketLike | null = null;
  /** The newest event seen; until the first ticket, none (that ticket's `seq` is where we start). */
  private lastSeq: number | null = null;
  private opened = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private lastTyping = 0;

  constructor(private readonly options: LiveOptions<Item>) {}

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'done');
    this.options.onStatus?.('stopped');
  }

  /** Tells the other side we are typing, at most once every few seconds. */
  typing(): void {
    const now = Date.now();
    if (now - this.lastTyping < TYPING_EVERY_MS || this.socket?.readyState !== OPEN) return;
    this.lastTyping = now;
    this.socket.send(JSON.stringify({ type: 'typing' }));
  }

  private async connect(): Promise<void> {
    let ticket: LiveTicket;
    try {
      ticket = await this.options.ticket();
    } catch (err) {
      if (err instanceof LiveRefused) this.stop();
      else this.retry();
      return;
    }
    if (!this.running) return;
    this.lastSeq ??= ticket.seq ?? 0;
    const url = socketUrl(ticket.url, this.lastSeq, this.options.base);
    const socket: SocketLike = this.options.open ? this.options.open(url) : new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
      this.options.onStatus?.('open');
      if (!this.opened) {
        this.opened = true;
        this.options.onFirstOpen?.();
      }
    });
    socket.addEventListener('message', (message) => {
      if (typeof message.data === 'string') this.receive(message.data);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.retry();
    });
  }

  private receive(text: string): void {
    let event: LiveEvent<Item>;
    try {
      event = JSON.parse(text) as LiveEvent<Item>;
    } catch {
      return;
    }
    if (event.type === 'reset') {
      this.lastSeq = event.seq;
      this.options.onReset();
      return;
    }
    // A replay after a reconnect may overlap what already arrived.
    if (typeof event.seq !== 'number' || (this.lastSeq !== null && event.seq <= this.lastSeq)) return;
    this.lastSeq = event.seq;
    this.options.onEvent(event);
  }

  private retry(): void {
    if (!this.running) return;
    this.options.onStatus?.('reconnecting');
    // Exponential with jitter, so a server restart is not met by every client at the same instant.
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}

/** The ticket URL may be absolute (ws/wss or http/https) or a path on this origin. */
function socketUrl(ticketUrl: string, after: number, base?: string): string {
  const url = new URL(ticketUrl, base ?? (globalThis as { location?: { href: string } }).location?.href);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  url.searchParams.set('after', String(after));
  return url.toString();
}

/** Seconds as "42 s", "3 min", "1 h 5 min": how long someone has waited. */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "Ana · Support team (moderator)": how an operator is named to customers and colleagues. */
export const operatorLabel = (author: { name: string; role: string } | null) =>
  author ? `${author.name} · Support team (${author.role})` : 'Support team';
