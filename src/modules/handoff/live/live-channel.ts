import { DurableObject } from 'cloudflare:workers';
import type { Config } from '../../../config';
import { errorDetail } from '../../../lib/error-detail';
import { log } from '../../../lib/logger';
import { admissionOf } from '../../admission/admission.client';
import { handoffContextFromEnv } from '../handoff.context';
import type { LiveEvent, LiveEventBody } from '../handoff.types';
import { handleWaitTimeout } from '../nobody-there';
import { conversationIdOf } from './live.client';
import {
  LIVE_REFUSED_HEADER,
  type LiveReset,
  POLICY_CLOSE,
  SESSION_ENDED_CLOSE,
  type StoredTicket,
} from './live.types';
import { principalStillValid } from './live-principal';
import { attachmentOf, holderTag, readClientMessage, type SocketAttachment, TYPING_INTERVAL_MS } from './live-socket';
import { LiveTickets } from './live-tickets';

/** Stored events a reconnecting client can resume from; older ones are dropped (it reloads the conversation). */
const KEPT_EVENTS = 500;

/** Whose sockets to close: a user's, or only those opened for one session (and token version). */
export type CloseFor = { userId: string; sessionId?: string; tokenVersion?: number };

type WaitTimer = { conversationId: string; handoffId: string };
type PendingConnect = { holder: SocketAttachment; revoked: boolean };

/**
 * One live channel: a conversation's (customer and operators) or the operators' inbox. It numbers the
 * events published to it, keeps the recent ones for clients that reconnect, and sends each to the
 * channel's WebSockets (hibernation API: an idle channel costs nothing while its sockets stay open).
 * One call at a time, so `seq` is strictly increasing without locks. A conversation's channel also
 * holds the handoff's wait timer (its alarm).
 */
export class LiveChannelObject extends DurableObject<Env> {
  private lastSeq: number | undefined;
  private readonly tickets = new LiveTickets(this.ctx.storage.kv);
  /** Connections whose holder is being checked: a `closeFor` meanwhile must refuse them too. */
  private readonly pending = new Set<PendingConnect>();

  /** `configOf`: the Worker's configuration, given by the entry point (which owns it). */
  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly configOf: (env: Env) => Config,
  ) {
    super(ctx, env);
    // Keep-alives are answered without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  async publish(body: LiveEventBody): Promise<number> {
    return this.deliver(body);
  }

  /** Stored events after `after`, oldest first. */
  async eventsAfter(after: number): Promise<LiveEvent[]> {
    const found = await this.ctx.storage.list<LiveEvent>({ start: eventKey(after + 1), prefix: 'event:' });
    return [...found.values()];
  }

  /** Stores a ticket (by its hash) for one socket on this channel; answers the channel's current seq. */
  async issueTicket(ticketHash: string, ticket: StoredTicket): Promise<number> {
    this.rememberName();
    this.tickets.issue(ticketHash, ticket);
    return this.currentSeq();
  }

  /**
   * A WebSocket upgrade forwarded by the live route (`?ticket=<sha-256>&after=<seq>`): the ticket is
   * redeemed, its holder checked again, then the socket is accepted and sent what it missed after
   * `after` (or a reset when that is older than what is kept). A refusal answers 401 with the reason.
   */
  override async fetch(request: Request): Promise<Response> {
    this.rememberName();
    const url = new URL(request.url);
    const principal = this.tickets.redeem(url.searchParams.get('ticket') ?? '');
    if (!principal) return refused('ticket');
    const channel = this.name();
    if (channel === undefined) return refused('ticket');
    const pending: PendingConnect = { holder: principal, revoked: false };
    this.pending.add(pending);
    try {
      if (!(await principalStillValid(this.env, this.configOf(this.env), principal, channel)) || pending.revoked)
        return refused('session');
    } finally {
      this.pending.delete(pending);
    }
    const after = url.searchParams.get('after');
    const backlog = after === null ? [] : await this.backlog(Number(after));
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [holderTag(principal)]);
    server.serializeAttachment(principal satisfies SocketAttachment);
    for (const event of backlog) server.send(JSON.stringify(event));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Closes the sockets of a session (or a whole account) that ended: 4401, "session ended". */
  async closeFor(target: CloseFor): Promise<number> {
    const matches = (holder: SocketAttachment) =>
      holder.kind === 'user' &&
      holder.id === target.userId &&
      (target.sessionId === undefined || holder.sessionId === target.sessionId) &&
      (target.tokenVersion === undefined || holder.tokenVersion === target.tokenVersion);
    for (const connect of this.pending) if (matches(connect.holder)) connect.revoked = true;
    let closed = 0;
    for (const socket of this.ctx.getWebSockets(holderTag({ kind: 'user', id: target.userId }))) {
      if (!matches(attachmentOf(socket))) continue;
      try {
        socket.close(SESSION_ENDED_CLOSE, 'session ended');
        closed++;
      } catch {
        // Already closing.
      }
    }
    return closed;
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const read = readClientMessage(message);
    if (read === 'refused') return socket.close(POLICY_CLOSE, 'message not accepted');
    if (read !== 'typing') return;
    const conversationId = conversationIdOf(this.name() ?? '');
    if (conversationId === undefined) return; // nobody types in the inbox
    const holder = attachmentOf(socket);
    const now = Date.now();
    if (holder.typingAt !== undefined && now - holder.typingAt < TYPING_INTERVAL_MS) return;
    socket.serializeAttachment({ ...holder, typingAt: now } satisfies SocketAttachment);
    const name = holder.as === 'operator' ? holder.displayName : undefined;
    await this.deliver({ type: 'typing', conversationId, from: holder.as, ...(name ? { name } : {}) }, socket);
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    try {
      // 1005/1006 describe a close without a frame; they cannot be sent back.
      socket.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
    await this.forgetIfLast(socket);
  }

  override async webSocketError(socket: WebSocket, error: unknown): Promise<void> {
    log('warn', 'live socket failed', errorDetail(error));
    await this.forgetIfLast(socket);
  }

  /**
   * A conversation's channel wakes up when its customer has waited HANDOFF_WAIT_MINUTES; the handler
   * checks the handoff is still unclaimed, so a timer that outlived its handoff does nothing.
   */
  async scheduleWaitTimeout(conversationId: string, handoffId: string, atMs: number): Promise<void> {
    this.rememberName();
    await this.ctx.storage.put<WaitTimer>('waitTimer', { conversationId, handoffId });
    await this.ctx.storage.setAlarm(atMs);
  }

  async cancelWaitTimeout(): Promise<void> {
    await this.ctx.storage.delete('waitTimer');
    await this.ctx.storage.deleteAlarm();
  }

  override async alarm(): Promise<void> {
    const timer = await this.ctx.storage.get<WaitTimer>('waitTimer');
    if (!timer) return;
    await this.ctx.storage.delete('waitTimer');
    const pending: Promise<unknown>[] = [];
    try {
      await handleWaitTimeout(
        handoffContextFromEnv(this.env, this.configOf(this.env), (p) => pending.push(p)),
        timer.conversationId,
        timer.handoffId,
      );
      await Promise.allSettled(pending);
    } catch (error) {
      // Not retried: telling the customer twice is worse than the transcript mail missing (logged).
      log('error', 'handoff wait timeout failed', { ...errorDetail(error) });
    }
  }

  protected async currentSeq(): Promise<number> {
    this.lastSeq ??= (await this.ctx.storage.get<number>('seq')) ?? 0;
    return this.lastSeq;
  }

  /** Numbers, stores (except typing) and sends an event; the socket it came from, if any, is not sent it. */
  private async deliver(body: LiveEventBody, from?: WebSocket): Promise<number> {
    this.rememberName();
    const seq = (await this.currentSeq()) + 1;
    this.lastSeq = seq;
    const event = { ...body, seq } as LiveEvent;
    const storage = this.ctx.storage;
    void storage.put('seq', seq, { allowUnconfirmed: true });
    if (body.type !== 'typing') {
      void storage.put(eventKey(seq), event, { allowUnconfirmed: true });
      if (seq > KEPT_EVENTS) void storage.delete(eventKey(seq - KEPT_EVENTS), { allowUnconfirmed: true });
    }
    const text = JSON.stringify(event);
    for (const socket of this.ctx.getWebSockets()) {
      if (socket === from) continue;
      try {
        socket.send(text);
      } catch {
        // A socket that is closing: it resumes from its last seq when it reconnects.
      }
    }
    return seq;
  }

  /** The events after `after`, or a reset when some of them are no longer kept (or `after` is from elsewhere). */
  private async backlog(after: number): Promise<(LiveEvent | LiveReset)[]> {
    const seq = await this.currentSeq();
    if (after === seq) return [];
    if (after > seq || after < seq - KEPT_EVENTS) return [{ type: 'reset', seq }];
    return this.eventsAfter(after);
  }

  /** Tells admission when the last socket of a session closed here, so account changes stop calling. */
  private async forgetIfLast(socket: WebSocket): Promise<void> {
    const holder = attachmentOf(socket);
    const channel = this.name();
    if (holder?.kind !== 'user' || channel === undefined) return;
    const others = this.ctx.getWebSockets(holderTag(holder)).some((other) => {
      if (other === socket || other.readyState !== WebSocket.OPEN) return false;
      const theirs = attachmentOf(other);
      return theirs.sessionId === holder.sessionId && theirs.tokenVersion === holder.tokenVersion;
    });
    if (others) return;
    try {
      await admissionOf(this.env.ADMISSION, holder.id).liveClosed({
        channel,
        sessionId: holder.sessionId,
        tokenVersion: holder.tokenVersion,
      });
    } catch (error) {
      log('warn', 'live socket close not told to admission', errorDetail(error));
    }
  }

  /**
   * The channel's name (`inbox`, `conversation:<id>`). The runtime gives it to calls made through a
   * named stub, but not to an alarm that wakes the object cold, so it is kept once seen.
   */
  private name(): string | undefined {
    return this.ctx.id.name ?? this.ctx.storage.kv.get<string>('name');
  }

  private rememberName(): void {
    const name = this.ctx.id.name;
    if (name !== undefined && this.ctx.storage.kv.get<string>('name') !== name) this.ctx.storage.kv.put('name', name);
  }
}

/** Zero-padded so keys sort in seq order. */
const eventKey = (seq: number) => `event:${String(seq).padStart(12, '0')}`;

const refused = (reason: 'ticket' | 'session') =>
  new Response(null, { status: 401, headers: { [LIVE_REFUSED_HEADER]: reason } });
