import { DurableObject } from 'cloudflare:workers';
import type { LiveEvent, LiveEventBody } from '../handoff.types';

/** Stored events a reconnecting client can resume from; older ones are dropped (it reloads the conversation). */
const KEPT_EVENTS = 500;

/**
 * One live channel: a conversation's (customer and operators) or the operators' inbox. It numbers the
 * events published to it, keeps the recent ones for clients that reconnect, and sends each to the
 * channel's WebSockets. One call at a time, so `seq` is strictly increasing without locks.
 */
export class LiveChannel extends DurableObject<Env> {
  private lastSeq: number | undefined;

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
