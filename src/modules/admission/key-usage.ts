import type { TurnUsage } from './admission.types';

/** One key's usage on one UTC day, not yet written to D1. */
export type KeyUsageDelta = {
  keyId: string;
  day: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  refusals: number;
  lastUsedAt: number;
};

/**
 * API-key usage accumulated in the owner's admission object and written to D1 in one batch now and
 * then (the object's alarm), never one D1 write per request. A batch that fails stays pending and is
 * tried again; a crash may lose the last unflushed seconds, which only ever undercounts figures (limits
 * are counted by the ledgers, not from these).
 */
export class KeyUsage {
  private pending = new Map<string, KeyUsageDelta>();

  constructor(initial: KeyUsageDelta[] = []) {
    for (const delta of initial) this.pending.set(`${delta.keyId}|${delta.day}`, delta);
  }

  get size(): number {
    return this.pending.size;
  }

  request(keyId: string, day: string, now: number): void {
    const entry = this.entry(keyId, day);
    entry.requests += 1;
    entry.lastUsedAt = Math.max(entry.lastUsedAt, now);
  }

  refusal(keyId: string, day: string): void {
    this.entry(keyId, day).refusals += 1;
  }

  tokens(keyId: string, day: string, usage: TurnUsage): void {
    const entry = this.entry(keyId, day);
    entry.promptTokens += Math.max(0, usage.promptTokens);
    entry.completionTokens += Math.max(0, usage.completionTokens);
    entry.cachedTokens += Math.max(0, usage.cachedTokens);
  }

  /** Everything pending, now owned by the caller; `restore` puts it back if the write fails. */
  take(): KeyUsageDelta[] {
    const taken = [...this.pending.values()];
    this.pending = new Map();
    return taken;
  }

  restore(deltas: KeyUsageDelta[]): void {
    for (const delta of deltas) {
      const entry = this.entry(delta.keyId, delta.day);
      entry.requests += delta.requests;
      entry.promptTokens += delta.promptTokens;
      entry.completionTokens += delta.completionTokens;
      entry.cachedTokens += delta.cachedTokens;
      entry.refusals += delta.refusals;
      entry.lastUsedAt = Math.max(entry.lastUsedAt, delta.lastUsedAt);
    }
  }

  snapshot(): KeyUsageDelta[] {
    return [...this.pending.values()].map((delta) => ({ ...delta }));
  }

  private entry(keyId: string, day: string): KeyUsageDelta {
    const id = `${keyId}|${day}`;
    let entry = this.pending.get(id);
    if (!entry) {
      entry = {
        keyId,
        day,
        requests: 0,
        promptTokens: 0,
        completionTokens: 0,
        cachedTokens: 0,
        refusals: 0,
        lastUsedAt: 0,
      };
      this.pending.set(id, entry);
    }
    return entry;
  }
}

/**
 * The D1 statements for one flush: add each delta to its day's row, and move `last_used_at` forward.
 * A key deleted meanwhile (its owner deleted) is skipped rather than failing the batch on its foreign key.
 */
export function usageStatements(db: D1Database, deltas: KeyUsageDelta[]): D1PreparedStatement[] {
  return deltas.flatMap((d) => {
    const statements = [
      db
        .prepare(
          `INSERT INTO api_key_usage_daily (key_id, day, requests, prompt_tokens, completion_tokens, cached_tokens, refusals)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM api_keys WHERE id = ?1)
           ON CONFLICT (key_id, day) DO UPDATE SET
             requests = requests + excluded.requests,
             prompt_tokens = prompt_tokens + excluded.prompt_tokens,
             completion_tokens = completion_tokens + excluded.completion_tokens,
             cached_tokens = cached_tokens + excluded.cached_tokens,
             refusals = refusals + excluded.refusals`,
        )
        .bind(d.keyId, d.day, d.requests, d.promptTokens, d.completionTokens, d.cachedTokens, d.refusals),
    ];
    if (d.lastUsedAt > 0) {
      statements.push(
        db
          .prepare(
            'UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2)',
          )
          .bind(d.keyId, d.lastUsedAt),
      );
    }
    return statements;
  });
}
