/**
 * Benchmark-only entry (never deployed): the real app, with its bindings wrapped so that every D1
 * query, Durable Object call and outgoing fetch is counted and timed. Run it in place of `main`:
 * `node scripts/dev.mjs bench/instrumented-worker.ts` (same wrangler.toml, same bindings).
 *
 * GET /__bench/stats answers the totals since the last read (and resets them). Times are taken with
 * performance.now() around each awaited call, so they are wall time inside workerd, I/O included;
 * calls that run in parallel (Promise.all) each count their own time.
 */
import app from '../src/index';

export { AdmissionObject, BudgetShard, LiveChannel, RateLimiterObject } from '../src/index';

type Timing = { calls: number; ms: number };
type Stats = {
  requests: number;
  /** From the Worker's fetch() being called to the Response (headers) being handed back. */
  toResponseMs: number;
  /** `byVerb`: round trips by the SQL's first word (select, insert, update…) or `batch`. */
  d1: { roundTrips: number; statements: number; batches: number; ms: number; byVerb: Record<string, Timing> };
  durableObjects: Record<string, Timing>;
  fetch: Timing;
};

const fresh = (): Stats => ({
  requests: 0,
  toResponseMs: 0,
  d1: { roundTrips: 0, statements: 0, batches: 0, ms: 0, byVerb: {} },
  durableObjects: {},
  fetch: { calls: 0, ms: 0 },
});
let stats = fresh();

async function timed<T>(work: () => Promise<T>, record: (ms: number) => void): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    record(performance.now() - started);
  }
}

function record(timings: Record<string, Timing>, key: string, ms: number) {
  const entry = timings[key] ?? { calls: 0, ms: 0 };
  entry.calls++;
  entry.ms += ms;
  timings[key] = entry;
}

const unwrapped = new WeakMap<object, D1PreparedStatement>();

function wrapStatement(statement: D1PreparedStatement, sql: string): D1PreparedStatement {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '?';
  const run =
    <K extends 'first' | 'all' | 'raw' | 'run'>(method: K) =>
    (...args: unknown[]) =>
      timed(
        () => (statement[method] as (...a: unknown[]) => Promise<unknown>).apply(statement, args),
        (ms) => {
          stats.d1.roundTrips++;
          stats.d1.statements++;
          stats.d1.ms += ms;
          record(stats.d1.byVerb, verb, ms);
        },
      );
  const wrapped = {
    bind: (...values: unknown[]) => wrapStatement(statement.bind(...values), sql),
    first: run('first'),
    all: run('all'),
    raw: run('raw'),
    run: run('run'),
  } as unknown as D1PreparedStatement;
  unwrapped.set(wrapped, statement);
  return wrapped;
}

function wrapD1(db: D1Database): D1Database {
  return {
    prepare: (sql: string) => wrapStatement(db.prepare(sql), sql),
    batch: (statements: D1PreparedStatement[]) =>
      timed(
        () => db.batch(statements.map((s) => unwrapped.get(s) ?? s)),
        (ms) => {
          stats.d1.roundTrips++;
          stats.d1.batches++;
          stats.d1.statements += statements.length;
          stats.d1.ms += ms;
          record(stats.d1.byVerb, 'batch', ms);
        },
      ),
    exec: (sql: string) => db.exec(sql),
    dump: () => db.dump(),
    withSession: (constraint?: string) => db.withSession(constraint),
  } as D1Database;
}

/** The RPC methods our code calls on each namespace's stubs; each call is timed. */
const rpcMethods = { RateLimiter: ['limit'], AdmissionObject: ['admit', 'settle'] } as const;

function wrapNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  name: keyof typeof rpcMethods,
  ns: DurableObjectNamespace<T>,
): DurableObjectNamespace<T> {
  const wrapped = Object.create(ns) as DurableObjectNamespace<T> & Record<string, unknown>;
  wrapped.idFromName = (id: string) => ns.idFromName(id);
  wrapped.get = (id: DurableObjectId) => {
    const stub = ns.get(id) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const timedStub: Record<string, unknown> = {};
    for (const method of rpcMethods[name]) {
      timedStub[method] = (...args: unknown[]) =>
        timed(
          () => (stub[method] as (...a: unknown[]) => Promise<unknown>)(...args),
          (ms) => {
            record(stats.durableObjects, `${name}.${method}`, ms);
          },
        );
    }
    return timedStub as unknown as DurableObjectStub<T>;
  };
  return wrapped;
}

const wrappedEnvs = new WeakMap<Env, Env>();
function instrument(env: Env): Env {
  let wrapped = wrappedEnvs.get(env);
  if (!wrapped) {
    wrapped = {
      ...env,
      DB: wrapD1(env.DB),
      RATE_LIMITER: wrapNamespace('RateLimiter', env.RATE_LIMITER),
      ADMISSION: wrapNamespace('AdmissionObject', env.ADMISSION),
    };
    wrappedEnvs.set(env, wrapped);
  }
  return wrapped;
}

const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) =>
  timed(
    () => realFetch(input, init),
    (ms) => {
      stats.fetch.calls++;
      stats.fetch.ms += ms;
    },
  );

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__bench/stats') {
      const current = stats;
      stats = fresh();
      return Response.json(current);
    }
    const started = performance.now();
    try {
      return await app.fetch(request, instrument(env), ctx);
    } finally {
      stats.requests++;
      stats.toResponseMs += performance.now() - started;
    }
  },
} satisfies ExportedHandler<Env>;
