import { DurableObject } from 'cloudflare:workers';

type Lease = { id: string; expiresAt: number };
type DailyUsage = { day: string; tokens: number };

export type AcquireRequest = { maxStreams: number; ttlMs: number; day: string; dailyBudget: number };
export type AcquireResult =
  | { lease: string; used: number }
  | { lease: null; used: number; refusal: 'budget' | 'streams' };

/**
 * One user's model allowance (OWASP LLM10, unbounded consumption): how many answers may stream at
 * once, and how many tokens today's budget has left. One object per user serialises every call, so
 * both counts are exact across all edge locations. Leases expire on their own, so a Worker that dies
 * mid-stream cannot lock its user out for longer than the TTL.
 */
export class StreamGate extends DurableObject<Env> {
  async acquire({ maxStreams, ttlMs, day, dailyBudget }: AcquireRequest): Promise<AcquireResult> {
    const now = Date.now();
    const used = await this.usedOn(day);
    const leases = ((await this.ctx.storage.get<Lease[]>('leases')) ?? []).filter((l) => l.expiresAt > now);
    if (used >= dailyBudget || leases.length >= maxStreams) {
      await this.ctx.storage.put('leases', leases);
      return { lease: null, used, refusal: used >= dailyBudget ? 'budget' : 'streams' };
    }
    const lease = { id: crypto.randomUUID(), expiresAt: now + ttlMs };
    await this.ctx.storage.put('leases', [...leases, lease]);
    return { lease: lease.id, used };
  }

  /** Ends a stream and charges what it cost to the day it started on. */
  async release(id: string, day: string, tokens: number): Promise<void> {
    const now = Date.now();
    const leases = (await this.ctx.storage.get<Lease[]>('leases')) ?? [];
    const used = await this.usedOn(day);
    this.ctx.storage.put(
      'leases',
      leases.filter((l) => l.id !== id && l.expiresAt > now),
    );
    this.ctx.storage.put<DailyUsage>('usage', { day, tokens: used + Math.max(0, tokens) });
  }

  private async usedOn(day: string): Promise<number> {
    const usage = await this.ctx.storage.get<DailyUsage>('usage');
    return usage?.day === day ? usage.tokens : 0;
  }
}

/** Stub for the user's gate. */
export const streamGateFor = (ns: DurableObjectNamespace<StreamGate>, userId: string) => ns.get(ns.idFromName(userId));
