import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client';
import { createSnapshotCache } from '../../../src/modules/faqs/faq-snapshot';
import { loadPublishedFaqIndex } from '../../../src/modules/faqs/faqs.service';
import { captureLogs, linesWith } from '../../helpers/logs';

/**
 * D1 with a query counter and an outage switch. Every drizzle query prepares exactly one statement;
 * while `down`, statements name a table that does not exist, so D1 itself fails them.
 */
function countingD1() {
  const stats = { queries: 0, down: false };
  const d1 = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (sql: string) => {
          stats.queries += 1;
          return target.prepare(stats.down ? 'SELECT * FROM d1_is_down' : sql);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: createDb(d1), stats };
}

/** A cache over the real loader, with its own clock and a request's waitUntil that the test can drain. */
function setup(ttlSeconds = 60) {
  const d1 = countingD1();
  let clock = 1_000_000;
  const pending: Promise<unknown>[] = [];
  const cache = createSnapshotCache(loadPublishedFaqIndex, { name: 'test-faqs', now: () => clock });
  return {
    stats: d1.stats,
    cache,
    get: () => cache.get(d1.db, { ttlSeconds, waitUntil: (promise) => pending.push(promise) }),
    advance: (ms: number) => {
      clock += ms;
    },
    /** Lets background work handed to waitUntil finish, as the runtime would after the response. */
    settle: async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
  };
}

const ids = (index: { entries: readonly { id: string }[] }) => index.entries.map((entry) => entry.id);

const insertPublished = (id: string, question: string) =>
  env.DB.prepare("INSERT INTO faqs (id, question, answer, tags, published) VALUES (?, ?, 'Yes.', '[]', 1)")
    .bind(id, question)
    .run();
const remove = (id: string) => env.DB.prepare('DELETE FROM faqs WHERE id = ?').bind(id).run();

describe('FAQ snapshot cache', () => {
  it('answers from the snapshot within the TTL, then serves it stale once while one background load refreshes it', async () => {
    const t = setup(60);
    const first = await t.get();
    expect(t.stats.queries).toBe(1);
    await insertPublished('snap-ttl', 'Do you sell kombucha?');

    t.advance(59_999);
    expect(await t.get()).toBe(first);
    await t.settle();
    expect(t.stats.queries).toBe(1);

    t.advance(1);
    const stale = await t.get();
    const alsoStale = await t.get(); // a second lookup while the refresh runs starts no other load
    expect(stale).toBe(first);
    expect(alsoStale).toBe(first);
    expect(ids(stale)).not.toContain('snap-ttl');
    await t.settle();
    expect(t.stats.queries).toBe(2);

    const refreshed = await t.get();
    expect(ids(refreshed)).toContain('snap-ttl');
    expect(t.stats.queries).toBe(2);
    await remove('snap-ttl');
  });

  it('lets each concurrent cold lookup load for itself (a request never awaits another’s I/O), then shares the result', async () => {
    const t = setup(60);
    const results = await Promise.all(Array.from({ length: 4 }, () => t.get()));
    expect(t.stats.queries).toBe(4);
    expect(results.every((index) => ids(index).length > 0)).toBe(true);
    const warm = await t.get();
    expect(t.stats.queries).toBe(4);
    expect(results).toContain(warm);
  });

  it('stops serving a snapshot 10 TTLs old: the lookup waits for a load, and fails with it', async () => {
    let clock = 0;
    let fail = false;
    let version = 0;
    const cache = createSnapshotCache(
      async () => {
        if (fail) throw new Error('D1 is down');
        version += 1;
        return `v${version}`;
      },
      { name: 't', now: () => clock },
    );
    const db = createDb(env.DB);
    const options = { ttlSeconds: 60 };
    expect(await cache.get(db, options)).toBe('v1');
    fail = true;
    clock += 9 * 60_000;
    expect(await cache.get(db, options)).toBe('v1'); // stale, a refresh fails in the background
    clock += 60_000;
    await expect(cache.get(db, options)).rejects.toThrow('D1 is down');
    fail = false;
    expect(await cache.get(db, options)).toBe('v2');
  });

  it('starts another refresh when one has gone unanswered for too long (its request was cancelled)', async () => {
    const loads: ((value: string) => void)[] = [];
    let clock = 0;
    const cache = createSnapshotCache(() => new Promise<string>((resolve) => loads.push(resolve)), {
      name: 't',
      now: () => clock,
    });
    const db = createDb(env.DB);
    const options = { ttlSeconds: 60 };
    const cold = cache.get(db, options);
    loads[0]?.('v1');
    expect(await cold).toBe('v1');
    clock += 60_000;
    expect(await cache.get(db, options)).toBe('v1'); // starts refresh #1, which never settles
    expect(await cache.get(db, options)).toBe('v1');
    expect(loads).toHaveLength(2);
    clock += 30_000;
    expect(await cache.get(db, options)).toBe('v1'); // gives up on #1, starts #2
    expect(loads).toHaveLength(3);
    loads[2]?.('v2');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await cache.get(db, options)).toBe('v2');
  });

  it('logs a failed refresh and keeps serving the old snapshot until a refresh succeeds', async () => {
    const logs = captureLogs();
    const t = setup(60);
    const first = await t.get();
    t.stats.down = true;
    t.advance(60_000);
    expect(await t.get()).toBe(first);
    await t.settle();
    expect(await t.get()).toBe(first); // and tries again
    await t.settle();
    const failures = linesWith(logs, 'snapshot refresh failed, serving the old one');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ level: 'warn', snapshot: 'test-faqs' });
    expect(String(failures[0]?.error)).toContain('d1_is_down');

    t.stats.down = false;
    expect(await t.get()).toBe(first);
    await t.settle();
    const recovered = await t.get();
    expect(recovered).not.toBe(first);
    expect(ids(recovered).sort()).toEqual(ids(first).sort());
  });

  it('throws when the first load fails, and the next lookup loads again', async () => {
    const t = setup(60);
    t.stats.down = true;
    await expect(t.get()).rejects.toThrow();
    t.stats.down = false;
    expect((await t.get()).entries.length).toBeGreaterThan(0);
    expect(t.stats.queries).toBe(2);
  });

  it('with TTL 0 loads for every lookup, concurrent ones included', async () => {
    const t = setup(0);
    await t.get();
    await t.get();
    await Promise.all([t.get(), t.get()]);
    expect(t.stats.queries).toBe(4);
  });

  it('after invalidate() waits for a new load, and never installs a load begun before it', async () => {
    const loads: ((value: string) => void)[] = [];
    const cache = createSnapshotCache(() => new Promise<string>((resolve) => loads.push(resolve)), { name: 't' });
    const db = createDb(env.DB);
    const options = { ttlSeconds: 60 };

    const warm = cache.get(db, options);
    loads[0]?.('v1');
    expect(await warm).toBe('v1');

    cache.invalidate();
    const before = cache.get(db, options); // cannot be answered from v1 any more
    cache.invalidate(); // an edit lands while that load runs
    const after = cache.get(db, options); // must not join the load begun before the edit
    expect(loads).toHaveLength(3);
    loads[2]?.('v3');
    loads[1]?.('v2');
    expect(await before).toBe('v2');
    expect(await after).toBe('v3');
    expect(await cache.get(db, options)).toBe('v3');
    expect(loads).toHaveLength(3);
  });
});
