import { DurableObject } from 'cloudflare:workers';

type Lease = { id: string; expiresAt: number };

/**
 * Caps concurrent model streams per user (OWASP LLM10, unbounded consumption). One object per
 * user serialises every acquire, so the count is exact across all edge locations. Leases expire on
 * their own, so a Worker that dies mid-stream cannot lock its user out for longer than the TTL.
 */
export class StreamGate extends DurableObject<Env> {
  async acquire(max: number, ttlMs: number): Promise<string | null> {
    const now = Date.now();
    const leases = ((await this.ctx.storage.get<Lease[]>('leases')) ?? []).filter((l) => l.expiresAt > now);
    if (leases.length >= max) {
      await this.ctx.storage.put('leases', leases);
      return null;
    }
    const lease = { id: crypto.randomUUID(), expiresAt: now + ttlMs };
    await this.ctx.storage.put('leases', [...leases, lease]);
    return lease.id;
  }

  async release(id: string): Promise<void> {
    const leases = (await this.ctx.storage.get<Lease[]>('leases')) ?? [];
    await this.ctx.storage.put(
      'leases',
      leases.filter((l) => l.id !== id && l.expiresAt > Date.now()),
    );
  }
}

/** Stub for the user's gate. */
export const streamGateFor = (ns: DurableObjectNamespace<StreamGate>, userId: string) => ns.get(ns.idFromName(userId));
