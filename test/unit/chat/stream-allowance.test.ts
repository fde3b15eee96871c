import { describe, expect, it } from 'vitest';
import { StreamAllowance } from '../../../src/modules/chat/stream-allowance';

type Usage = { day: string; tokens: number };

function memoryStore(initial?: Usage) {
  const store = { value: initial, puts: 0 };
  return {
    store,
    usage: {
      get: async () => store.value,
      put: async (usage: Usage) => {
        store.value = usage;
        store.puts++;
      },
    },
  };
}

const request = { maxStreams: 2, ttlMs: 1_000, day: '2026-11-23', dailyBudget: 100 };

describe('StreamAllowance', () => {
  it('grants at most maxStreams leases at once and frees them on release', async () => {
    const allowance = new StreamAllowance(memoryStore().usage);
    const a = await allowance.acquire(request);
    const b = await allowance.acquire(request);
    expect(a.lease).not.toBeNull();
    expect(b.lease).not.toBeNull();
    expect(await allowance.acquire(request)).toMatchObject({ lease: null, refusal: 'streams' });
    await allowance.release(a.lease as string, request.day, 0);
    expect((await allowance.acquire(request)).lease).not.toBeNull();
  });

  it('lets a lease expire on its own when its stream never comes back', async () => {
    let now = 0;
    const allowance = new StreamAllowance(memoryStore().usage, () => now);
    await allowance.acquire(request);
    await allowance.acquire(request);
    now = request.ttlMs - 1;
    expect((await allowance.acquire(request)).lease).toBeNull();
    now = request.ttlMs;
    expect((await allowance.acquire(request)).lease).not.toBeNull();
  });

  it('charges tokens to the day, stores the count and refuses once the budget is spent', async () => {
    const { store, usage } = memoryStore();
    const allowance = new StreamAllowance(usage);
    const first = await allowance.acquire(request);
    await allowance.release(first.lease as string, request.day, 60);
    expect(store.value).toEqual({ day: request.day, tokens: 60 });
    const second = await allowance.acquire(request);
    expect(second.used).toBe(60);
    await allowance.release(second.lease as string, request.day, 40);
    expect(await allowance.acquire(request)).toMatchObject({ lease: null, used: 100, refusal: 'budget' });
  });

  it('starts each day from zero and continues from a stored count after a restart', async () => {
    const { usage } = memoryStore({ day: '2026-11-22', tokens: 100 });
    expect((await new StreamAllowance(usage).acquire(request)).used).toBe(0);
    const { usage: today } = memoryStore({ day: request.day, tokens: 70 });
    expect((await new StreamAllowance(today).acquire(request)).used).toBe(70);
  });

  it('never charges a stream from yesterday over today’s count', async () => {
    const { store, usage } = memoryStore();
    const allowance = new StreamAllowance(usage);
    const late = await allowance.acquire({ ...request, day: '2026-11-22' });
    const today = await allowance.acquire(request);
    await allowance.release(today.lease as string, request.day, 30);
    await allowance.release(late.lease as string, '2026-11-22', 50);
    expect(store.value).toEqual({ day: request.day, tokens: 30 });
  });

  it('writes nothing for a stream that cost nothing', async () => {
    const { store, usage } = memoryStore();
    const allowance = new StreamAllowance(usage);
    const lease = await allowance.acquire(request);
    await allowance.release(lease.lease as string, request.day, 0);
    expect(store.puts).toBe(0);
  });

  it('makes a conversation’s next turn wait until the previous one is released, and says it waited', async () => {
    const allowance = new StreamAllowance(memoryStore().usage);
    const turn = { ...request, conversationId: 'c1', waitMs: 1_000 };
    const first = await allowance.acquire(turn);
    expect(first).toMatchObject({ waited: false });
    let secondDone = false;
    const second = allowance.acquire(turn).then((result) => {
      secondDone = true;
      return result;
    });
    // Another conversation is not held up.
    expect(await allowance.acquire({ ...turn, conversationId: 'c2' })).toMatchObject({ waited: false });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(secondDone).toBe(false);
    await allowance.release(first.lease as string, request.day, 0);
    expect(await second).toMatchObject({ lease: expect.any(String), waited: true });
  });

  it('refuses with busy when the previous turn outlasts the wait', async () => {
    const allowance = new StreamAllowance(memoryStore().usage);
    const turn = { ...request, conversationId: 'c1', waitMs: 30 };
    await allowance.acquire(turn);
    expect(await allowance.acquire(turn)).toMatchObject({ lease: null, refusal: 'busy' });
  });

  it('admits one of two turns that were both waiting for the same conversation', async () => {
    const allowance = new StreamAllowance(memoryStore().usage);
    const turn = { ...request, maxStreams: 5, conversationId: 'c1', waitMs: 60 };
    const first = await allowance.acquire(turn);
    const waiting = [allowance.acquire(turn), allowance.acquire(turn)];
    await new Promise((resolve) => setTimeout(resolve, 5));
    await allowance.release(first.lease as string, request.day, 0);
    const results = await Promise.all(waiting);
    expect(results.filter((r) => r.lease !== null)).toHaveLength(1);
    expect(results.filter((r) => r.lease === null && r.refusal === 'busy')).toHaveLength(1);
  });

  it('counts concurrent releases exactly', async () => {
    const { store, usage } = memoryStore({ day: request.day, tokens: 0 });
    const allowance = new StreamAllowance(usage);
    const leases = await Promise.all([1, 2, 3].map(() => allowance.acquire({ ...request, maxStreams: 3 })));
    await Promise.all(leases.map((l) => allowance.release(l.lease as string, request.day, 10)));
    expect(store.value).toEqual({ day: request.day, tokens: 30 });
  });
});
