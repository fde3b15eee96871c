import { DurableObject } from 'cloudflare:workers';
import { errorDetail } from '../../../lib/error-detail';
import { log } from '../../../lib/logger';
import type { HandoffContext } from '../handoff.context';
import type { LiveEvent, LiveEventBody } from '../handoff.types';
import { handleWaitTimeout } from '../nobody-there';

type WaitTimer = { conversationId: string; handoffId: string };

/** Stored events a reconnecting client can resume from; older ones are dropped (it reloads the conversation). */
const KEPT_EVENTS = 500;

/**
 * One live channel: a conversation's (customer and operators) or the operators' inbox. It numbers the
 * events published to it, keeps the recent ones for clients that reconnect, and sends each to the
 * channel's WebSockets. One call at a time, so `seq` is strictly increasing without locks.
 */
export class LiveChannelObject extends DurableObject<Env> {
  private lastSeq: number | undefined;

  /** `handoffContext`: for handoff work outside a request (the wait timer); the entry point owns the configuration. */
  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly handoffContext: (waitUntil: (promise: Promise<unknown>) => void) => HandoffContext,
  ) {
    super(ctx, env);
  }

  async publish(body: LiveEventBody): Promise<number> {
    const seq = (await this.currentSeq()) + 1;
    this.lastSeq = seq;
    const event = { ...body, seq } as LiveEvent;
    const storage = this.ctx.storage;
    void storage.put('seq', seq, { allowUnconfirmed: true });
    if (body.type !== 'typing') {
      void storage.put(eventKey(seq), event, { allowUnconfirmed: true });
      if (seq > KEPT_EVENTS) void storage.delete(eventKey(seq - KEPT_EVENTS), { allowUnconfirmed: true });
    }
    this.broadcast(event);
    return seq;
  }

  /**
   * A conversation's channel wakes up when its customer has waited HANDOFF_WAIT_MINUTES; the handler
   * checks the handoff is still unclaimed, so a timer that outlived its handoff does nothing.
   */
  async scheduleWaitTimeout(conversationId: string, handoffId: string, atMs: number): Promise<void> {
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
        this.handoffContext((p) => pending.push(p)),
        timer.conversationId,
        timer.handoffId,
      );
      await Promise.allSettled(pending);
    } catch (error) {
      // Not retried: telling the customer twice is worse than the transcript mail missing (logged).
      log('error', 'handoff wait timeout failed', { ...errorDetail(error) });
    }
  }

  /** Stored events after `after`, oldest first. */
  async eventsAfter(after: number): Promise<LiveEvent[]> {
    const found = await this.ctx.storage.list<LiveEvent>({ start: eventKey(after + 1), prefix: 'event:' });
    return [...found.values()];
  }

  protected async currentSeq(): Promise<number> {
    this.lastSeq ??= (await this.ctx.storage.get<number>('seq')) ?? 0;
    return this.lastSeq;
  }

  protected broadcast(event: LiveEvent): void {
    const text = JSON.stringify(event);
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(text);
      } catch {
        // A socket that is closing: it resumes from its last seq when it reconnects.
      }
    }
  }
}

/** Zero-padded so keys sort in seq order. */
const eventKey = (seq: number) => `event:${String(seq).padStart(12, '0')}`;
