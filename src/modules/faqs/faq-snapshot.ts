import type { Db } from '../../db/client';
import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';

/**
 * An isolate-level cache of one value loaded from D1 (the chat's FAQ index), so the chat's path to
 * the first token holds no D1 read once the isolate has loaded it.
 *
 * Freshness is a trade-off, bounded by `ttlSeconds` (FAQ_CACHE_SECONDS):
 * - Within the TTL the snapshot answers as is.
 * - Past it, the old snapshot still answers while one background load (kept alive by the caller's
 *   `waitUntil`) replaces it: no request waits on D1. An edit made in another isolate therefore
 *   reaches this one on the first lookup after the TTL has passed plus one load, and that lookup
 *   itself still sees the old snapshot.
 * - `invalidate()` (every write through this isolate) makes the next lookup wait for a fresh load,
 *   so an editor testing an entry in the chat sees it at once. A load begun before the invalidation
 *   is never installed afterwards.
 * - TTL 0 loads for every lookup: always fresh, one D1 query per lookup, as before the cache.
 * - A request never awaits a load another request started: the runtime cancels such continuations
 *   when the starting request ends (cloudflare-docs#29797). Cold lookups racing each other each load
 *   (check-then-set), which happens once per isolate.
 * - A failed first load throws (the caller has nothing to answer from); a failed refresh is logged
 *   and the old snapshot keeps answering, for up to 10 TTLs: then lookups load (or fail) themselves.
 */
export type SnapshotOptions = {
  ttlSeconds: number;
  /** The request's `ctx.waitUntil`: keeps a load alive after the response that started it. */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
};

export type SnapshotCache<T> = {
  get(db: Db, options: SnapshotOptions): Promise<T>;
  invalidate(): void;
};

type Loaded<T> = { value: T; loadedAt: number; generation: number };

/** A refresh still unsettled after this long is presumed lost with its request; the next lookup starts another. */
const REFRESH_GIVE_UP_MS = 30_000;
/** Past this many TTLs without a successful refresh, a lookup waits for a load (and fails if it does). */
const MAX_STALENESS_TTLS = 10;

export function createSnapshotCache<T>(
  load: (db: Db) => Promise<T>,
  { name, now = Date.now }: { name: string; now?: () => number },
): SnapshotCache<T> {
  let current: Loaded<T> | undefined;
  /** The background refresh, if one runs; one that never settles (its request cancelled) is ignored after a while. */
  let inflight: { generation: number; startedAt: number } | undefined;
  // Bumped by invalidate(): a snapshot or load from an older generation may not answer anymore.
  let generation = 0;

  function start(db: Db): Promise<Loaded<T>> {
    const mine = generation;
    // Stamped when the load begins: the data is at least this fresh, never fresher.
    const loadedAt = now();
    const promise = load(db).then((value) => {
      const loaded = { value, loadedAt, generation: mine };
      if (mine === generation && (!current || current.generation < mine || current.loadedAt <= loadedAt)) {
        current = loaded;
      }
      return loaded;
    });
    return promise;
  }

  function refresh(db: Db, options: SnapshotOptions): void {
    const tracked = { generation, startedAt: now() };
    inflight = tracked;
    const settled = start(db).then(
      () => undefined,
      (error) => log('warn', 'snapshot refresh failed, serving the old one', { snapshot: name, ...errorDetail(error) }),
    );
    void settled.then(() => {
      if (inflight === tracked) inflight = undefined;
    });
    // The request that asked for the refresh has its answer already; this keeps the load alive after it.
    options.waitUntil?.(settled);
  }

  return {
    async get(db, options) {
      const ttlMs = options.ttlSeconds * 1000;
      const usable = current?.generation === generation ? current : undefined;
      // Refreshes that keep failing may not keep an unpublished or deleted entry answering for ever.
      const tooOld = usable !== undefined && now() - usable.loadedAt >= MAX_STALENESS_TTLS * ttlMs;
      if (usable && ttlMs > 0 && !tooOld) {
        const refreshing = inflight?.generation === generation && now() - inflight.startedAt < REFRESH_GIVE_UP_MS;
        if (now() - usable.loadedAt >= ttlMs && !refreshing) refresh(db, options);
        return usable.value;
      }
      // Cold, invalidated, far too stale, or TTL 0: this request loads for itself (see above).
      return (await start(db)).value;
    },
    invalidate() {
      generation += 1;
    },
  };
}
