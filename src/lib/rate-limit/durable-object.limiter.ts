import { DurableObject } from 'cloudflare:workers';
import type { RateLimiter, RateLimitPolicy, RateLimitResult } from './rate-limit.types';
import { slideWindow, type WindowCounts } from './sliding-window';

type WindowRow = { window_ms: number; window_start: number; current: number; previous: number };

/**
 * Sliding-window counters in a SQLite-backed Durable Object. A Durable Object runs one event
 * at a time and `limit` never awaits, so read-decide-write is atomic: concurrent callers are
 * serialised without locks. Counters are persisted (a 15-minute login window must survive the
 * object being evicted) and deleted by an alarm once they can no longer affect a decision.
 */
export class RateLimiterObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** The alarm this instance last scheduled; saves a storage write on every hit. */
  private alarmAt: number | null = null;
  /** Cleared when the alarm drops all storage, so the table is only recreated when needed again. */
  private tableReady = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
  }

  limit(key: string, limit: number, windowMs: number): RateLimitResult {
    this.ensureTable();
    const row = this.sql
      .exec<WindowRow>('SELECT window_ms, window_start, current, previous FROM windows WHERE key = ?', key)
      .toArray()[0];
    // A policy whose window changed starts afresh rather than mixing window sizes.
    const stored: WindowCounts | undefined =
      row && row.window_ms === windowMs
        ? { windowStart: row.window_start, current: row.current, previous: row.previous }
        : undefined;
    const { result, counts } = slideWindow(stored, Date.now(), limit, windowMs);
    if (result.success) {
      this.sql.exec(
        `INSERT INTO windows (key, window_ms, window_start, current, previous) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET window_ms = excluded.window_ms, window_start = excluded.window_start,
           current = excluded.current, previous = excluded.previous`,
        key,
        windowMs,
        counts.windowStart,
        counts.current,
        counts.previous,
      );
      this.scheduleCleanup(counts.windowStart + 2 * windowMs);
    }
    return result;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    this.ensureTable();
    this.sql.exec('DELETE FROM windows WHERE window_start + 2 * window_ms <= ?', Date.now());
    const next = this.sql
      .exec<{ at: number | null }>('SELECT MIN(window_start + 2 * window_ms) AS at FROM windows')
      .one().at;
    if (next === null) {
      // Idle clients leave nothing behind: the object's storage goes entirely.
      await this.ctx.storage.deleteAll();
      this.tableReady = false;
    } else {
      this.scheduleCleanup(next);
    }
  }

  private ensureTable(): void {
    if (this.tableReady) return;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS windows (
      key TEXT PRIMARY KEY,
      window_ms INTEGER NOT NULL,
      window_start INTEGER NOT NULL,
      current INTEGER NOT NULL,
      previous INTEGER NOT NULL
    )`);
    this.tableReady = true;
  }

  /** After `at` the counts are older than the previous window and weigh nothing. */
  private scheduleCleanup(at: number): void {
    if (this.alarmAt !== null && this.alarmAt >= at) return;
    this.alarmAt = at;
    // Not awaited: the output gate holds our reply until the alarm is durably stored.
    void this.ctx.storage.setAlarm(at);
  }
}

/**
 * One object per policy and key: a burst from one client queues only on its own object, which
 * Cloudflare places near the first caller, and no shard ever becomes a global hot spot.
 */
export class DurableObjectRateLimiter implements RateLimiter {
  constructor(private readonly namespace: DurableObjectNamespace<RateLimiterObject>) {}

  async limit(key: string, policy: RateLimitPolicy): Promise<RateLimitResult> {
    const name = `${policy.name}:${key}`;
    const stub = this.namespace.get(this.namespace.idFromName(name));
    const { success, limit, remaining, reset } = await stub.limit(name, policy.limit, policy.windowMs);
    return { success, limit, remaining, reset };
  }
}
