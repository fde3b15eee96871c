import type { LivePrincipal, StoredTicket } from './live.types';

const PREFIX = 'ticket:';

/**
 * A channel's outstanding tickets, by the SHA-256 of the ticket (a copy of the storage holds no usable
 * ticket). Synchronous storage, so redeeming (read, delete) is one step no other call can split: a
 * ticket opens one socket at most.
 */
export class LiveTickets {
  constructor(private readonly kv: SyncKvStorage) {}

  /** Stores a ticket, dropping the expired ones nobody redeemed. */
  issue(hash: string, ticket: StoredTicket, now = Date.now()): void {
    const expired = [...this.kv.list<StoredTicket>({ prefix: PREFIX })].filter(([, t]) => t.expiresAt <= now);
    for (const [key] of expired) this.kv.delete(key);
    this.kv.put(`${PREFIX}${hash}`, ticket);
  }

  /** The ticket's holder, once: a used, unknown or expired ticket gives nothing (and is gone either way). */
  redeem(hash: string, now = Date.now()): LivePrincipal | undefined {
    const key = `${PREFIX}${hash}`;
    const ticket = this.kv.get<StoredTicket>(key);
    if (!ticket) return undefined;
    this.kv.delete(key);
    return ticket.expiresAt > now ? ticket.principal : undefined;
  }
}
