import { describe, expect, it } from 'vitest';
import type { TurnRequest } from '../../../src/modules/admission/admission.types';
import { type DailyCounts, TurnLedger } from '../../../src/modules/admission/turn-ledger';

function memoryStore(initial?: DailyCounts, conversations = 0) {
  const store = { value: initial, puts: 0, conversations, counted: 0 };
  return {
    store,
    ledgerStore: {
      get: async () => store.value,
      put: (counts: DailyCounts) => {
        store.value = counts;
        store.puts++;
      },
      countConversations: async () => {
        store.counted++;
        return store.conversations;
      },
    },
  };
}

const day = '2026-11-23';
const turn: TurnRequest = {
  day,
  waitMs: 0,
  maxStreams: 2,
  leaseTtlMs: 1_000,
  reserveTokens: 10,
  dailyTokenBudget: 100,
  dailyMessageQuota: 50,
};

const leaseOf = (result: Awaited<ReturnType<TurnLedger['open']>>) => {
  if (!('lease' in result)) throw new Error(`refused: ${result.refusal}`);
  return result.lease;
};

describe('TurnLedger', () => {
  it('leases at most maxStreams turns at once and frees a slot when its turn settles', async () => {
    const ledger = new TurnLedger(memoryStore().ledgerStore);
    const a = leaseOf(await ledger.open(turn));
    leaseOf(await ledger.open(turn));
    expect(await ledger.open(turn)).toEqual({ refusal: 'streams' });
    await ledger.settle(a.id, day, 0, false);
    expect('lease' in (await ledger.open(turn))).toBe(true);
  });

  it('lets a lease expire on its own when its turn never settles', async () => {
    let now = 0;
    const ledger = new TurnLedger(memoryStore().ledgerStore, () => now);
    await ledger.open(turn);
    await ledger.open(turn);
    now = turn.leaseTtlMs - 1;
    expect(await ledger.open(turn)).toEqual({ refusal: 'streams' });
    now = turn.leaseTtlMs;
    expect('lease' in (await ledger.open(turn))).toBe(true);
  });

  it('reserves exactly: with budget for one reservation, of two turns opened at once only one is reserved', async () => {
    const ledger = new TurnLedger(memoryStore().ledgerStore);
    const request = { ...turn, reserveTokens: 60 };
    const [a, b] = await Promise.all([ledger.open(request), ledger.open(request)]);
    expect([leaseOf(a).reserved, leaseOf(b).reserved].sort()).toEqual([0, 60]);
  });

  it('returns the unused part of a reservation when the turn settles to what it cost', async () => {
    const { store, ledgerStore } = memoryStore();
    const ledger = new TurnLedger(ledgerStore);
    const request = { ...turn, reserveTokens: 60 };
    const first = leaseOf(await ledger.open(request));
    await ledger.settle(first.id, day, 25, false);
    expect(store.value).toEqual({ day, tokens: 25, messages: 1 });
    expect(leaseOf(await ledger.open(request)).reserved).toBe(60); // 25 spent + 60 reserved fits 100
    expect(leaseOf(await ledger.open(request)).reserved).toBe(0); // 25 + 60 + 60 does not
  });

  it('counts every turn toward the daily message quota, and gives back a refunded one', async () => {
    const ledger = new TurnLedger(memoryStore().ledgerStore);
    const request = { ...turn, dailyMessageQuota: 2 };
    const a = leaseOf(await ledger.open(request));
    await ledger.settle(a.id, day, 0, false);
    const b = leaseOf(await ledger.open(request));
    await ledger.settle(b.id, day, 0, true);
    const c = leaseOf(await ledger.open(request));
    await ledger.settle(c.id, day, 0, false);
    expect(await ledger.open(request)).toEqual({ refusal: 'messages' });
  });

  it('makes a conversation’s next turn wait for the previous one, and refuses with busy after waitMs', async () => {
    const ledger = new TurnLedger(memoryStore().ledgerStore);
    const request = { ...turn, conversationId: 'c1', waitMs: 50 };
    const first = leaseOf(await ledger.open(request));
    expect(await ledger.open({ ...request, waitMs: 0 })).toEqual({ refusal: 'busy' });
    const waiting = ledger.open(request);
    await ledger.settle(first.id, day, 0, false);
    expect(leaseOf(await waiting).waited).toBe(true);
    expect(await ledger.open(request)).toEqual({ refusal: 'busy' });
  });

  it('starts each day afresh and charges a turn from before midnight to its own day', async () => {
    const { store, ledgerStore } = memoryStore({ day: '2026-11-22', tokens: 100, messages: 50 });
    const ledger = new TurnLedger(ledgerStore);
    const lease = leaseOf(await ledger.open(turn));
    expect(lease.reserved).toBe(10);
    await ledger.settle(lease.id, '2026-11-22', 99, false);
    expect(store.value).toEqual({ day, tokens: 0, messages: 1 });
  });

  it('caps new conversations from a count read once, gives a refunded one back, and recounts after deletions', async () => {
    const { store, ledgerStore } = memoryStore(undefined, 1);
    const ledger = new TurnLedger(ledgerStore);
    const request = { ...turn, newConversationCap: 2 };
    const started = leaseOf(await ledger.open(request));
    expect(await ledger.open(request)).toEqual({ refusal: 'conversations' });
    await ledger.settle(started.id, day, 0, true); // refused after admission: nothing stored
    const kept = leaseOf(await ledger.open(request));
    await ledger.settle(kept.id, day, 0, false);
    expect(await ledger.open(request)).toEqual({ refusal: 'conversations' });
    // Continuing a conversation is not capped.
    expect('lease' in (await ledger.open(turn))).toBe(true);
    expect(store.counted).toBe(1);
    store.conversations = 0;
    ledger.conversationsChanged();
    expect('lease' in (await ledger.open(request))).toBe(true);
    expect(store.counted).toBe(2);
  });
});
