import { bearer } from './auth';
import { call, postJson } from './http';

export type LiveTicketBody = { url: string; expiresAt: string; seq: number };

/** Asks for a live ticket with an access token; returns the response for the caller to check. */
export const askTicket = (path: string, accessToken: string) => postJson(path, {}, bearer(accessToken));

export async function ticketFor(path: string, accessToken: string): Promise<LiveTicketBody> {
  const res = await askTicket(path, accessToken);
  if (res.status !== 200) throw new Error(`live ticket failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as LiveTicketBody;
}

/** The socket URL as a path the test worker can be called with (`?after=` appended when given). */
export function socketPath(url: string, after?: number): string {
  const parsed = new URL(url);
  if (after !== undefined) parsed.searchParams.set('after', String(after));
  return `${parsed.pathname}${parsed.search}`;
}

export type LiveClient = {
  socket: WebSocket;
  /** Every JSON message received so far, in order. */
  received: Record<string, unknown>[];
  /** Waits for a received message matching `match` (already received ones count). */
  next(match?: (m: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  /** Whether the server has closed the socket (a close event arrived). */
  isClosed(): boolean;
};

export const waitUntil = async (done: () => boolean, ms = 3000) => {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Upgrades through the real worker and accepts the client end. */
export async function connect(url: string, after?: number): Promise<LiveClient> {
  const res = await call(socketPath(url, after), { headers: { Upgrade: 'websocket' } });
  if (res.status !== 101) throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
  const socket = res.webSocket;
  if (!socket) throw new Error('no webSocket on the 101');
  return listen(socket);
}

function listen(socket: WebSocket): LiveClient {
  const received: Record<string, unknown>[] = [];
  let closedWith: { code: number; reason: string } | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.addEventListener('close', (event) => {
      closedWith = { code: event.code, reason: event.reason };
      resolve(closedWith);
    });
  });
  socket.addEventListener('message', (event) => {
    // `pong` (the keep-alive answer) is the one message that is not JSON.
    if (typeof event.data !== 'string') received.push({ binary: true });
    else received.push(event.data === 'pong' ? { text: 'pong' } : JSON.parse(event.data));
  });
  socket.accept();
  return {
    socket,
    received,
    closed,
    isClosed: () => closedWith !== undefined,
    async next(match = () => true, ms = 3000) {
      let found: Record<string, unknown> | undefined;
      await waitUntil(() => {
        found = received.find(match);
        return found !== undefined;
      }, ms);
      return found as Record<string, unknown>;
    },
  };
}

/** Resolves to the close, or rejects after `ms`. */
export const closedWithin = (client: LiveClient, ms = 3000) =>
  Promise.race([
    client.closed,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('socket not closed in time')), ms)),
  ]);

/** A conversation row as the chat path leaves it, written directly (these tests are about the channel). */
export async function conversationOf(
  owner: { userId: string } | { visitorId: string; siteId: string },
  state: 'bot' | 'waiting' | 'with_operator' | 'resolved' = 'bot',
): Promise<string> {
  const { env } = await import('cloudflare:workers');
  const id = crypto.randomUUID();
  const statement =
    'userId' in owner
      ? env.DB.prepare('INSERT INTO conversations (id, user_id, title, state) VALUES (?, ?, ?, ?)').bind(
          id,
          owner.userId,
          'Help',
          state,
        )
      : env.DB.prepare('INSERT INTO conversations (id, visitor_id, site_id, title, state) VALUES (?, ?, ?, ?, ?)').bind(
          id,
          owner.visitorId,
          owner.siteId,
          'Help',
          state,
        );
  await statement.run();
  return id;
}
