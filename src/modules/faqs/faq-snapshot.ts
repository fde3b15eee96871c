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
 * - A failed first load throws (the caller has nothing to answer from); a failed refresh is logged
 *   and the old snapshot keeps answering.
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

export function createSnapshotCache<T>(
  load: (db: Db) => Promise<T>,
  { name, now = Date.now }: { name: string; now?: () => number },
): SnapshotCache<T> {
  let current: Loaded<T> | undefined;
  let inflight: { promise: Promise<Loaded<T>>; generation: number } | undefined;
  // Bumped by invalidate(): a snapshot or load from an older generation may not answer anymore.
  let generation = 0;

  function start(db: Db, options: SnapshotOptions): Promise<Loaded<T>> {
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
    const tracked = { promise, generation: mine };
    inflight = tracked;
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    void settled.then(() => {
      if (inflight === tracked) inflight = undefined;
    });
    // Other requests may await this load: the request that began it must outlive it, or the runtime
    // could cancel its I/O with that request and leave them waiting.
    options.waitUntil?.(settled);
    return promise;
  }

  return {
    async get(db, options) {
      const ttlMs = options.ttlSeconds * 1000;
      const usable = current?.generation === generation ? current : undefined;
      if (usable && ttlMs > 0) {
        if (now() - usable.loadedAt >= ttlMs && inflight?.generation !== generation) {
          start(db, options).catch((error) =>
            log('warn', 'snapshot refresh failed, serving the old one', { snapshot: name, ...errorDetail(error) }),
          );
        }
        return usable.value;
      }
      // Cold, invalidated, or TTL 0. Concurrent cold lookups share one load; TTL 0 promises a load
      // begun after the lookup, so it never joins one already running.
      if (ttlMs > 0 && inflight?.generation === generation) return (await inflight.promise).value;
      return (await start(db, options)).value;
    },
    invalidate() {
      generation += 1;
    },
  };
}
