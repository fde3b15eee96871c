import { describe, expect, it } from 'vitest';
import type { KeyAdmission } from '../../../src/modules/admission/admission.types';
import { KeyLedger, type StoredKey } from '../../../src/modules/admission/key-ledger';

function ledgerAt(start = Date.UTC(2026, 10, 27, 12)) {
  const stored = new Map<string, StoredKey>();
  let now = start;
  const ledger = new KeyLedger(
    {
      get: async (id) => stored.get(id),
      put: async (id, value) => {
        stored.set(id, structuredClone(value));
      },
    },
    () => now,
  );
  return { ledger, stored, advance: (ms: number) => (now += ms), now: () => now };
}

const key = (over: Partial<KeyAdmission> = {}): KeyAdmission => ({
  id: 'k1',
  version: 1,
  ownerRole: 'user',
  requestsPerMinute: 100,
  tokensPerMinute: null,
  maxConcurrentStreams: null,
  dailyTokenBudget: null,
  usageFlushMs: 30_000,
  ...over,
});

const DAY = '2026-11-27';
const lease = (id: string, now: number) => ({ id, expiresAt: now + 60_000 });

describe('KeyLedger', () => {
  it('refuses a copy older than the newest version it was told of, and remembers it across eviction', async () => {
    const { ledger, stored } = ledgerAt();
    await ledger.load('k1');
    await ledger.changed('k1', 3);
    expect(ledger.admit(key({ version: 2 }))).toEqual({ refusal: 'stale' });
    expect('keyRate' in ledger.admit(key({ version: 3 }))).toBe(true);
    const again = new KeyLedger({ get: async (id) => stored.get(id), put: async () => {} });
    await again.load('k1');
    expect(again.admit(key({ version: 2 }))).toEqual({ refusal: 'stale' });
  });

  it('reserves the daily budget exactly: turns are refused once running reservations would pass it', async () => {
    const { ledger, now } = ledgerAt();
    await ledger.load('k1');
    const limited = key({ dailyTokenBudget: 250 });
    expect(ledger.openTurn(limited, lease('a', now()), DAY, 100)).toBeNull();
    expect(ledger.openTurn(limited, lease('b', now()), DAY, 100)).toBeNull();
    expect(ledger.openTurn(limited, lease('c', now()), DAY, 100)).toMatchObject({ refusal: 'key-budget' });
    // Settled below its reservation: the rest returns to the day.
    ledger.settle('a', DAY, 20);
    expect(ledger.openTurn(limited, lease('c', now()), DAY, 100)).toBeNull();
    expect(ledger.status('k1', DAY)).toEqual({ day: DAY, tokensUsed: 20, tokensReserved: 200, activeStreams: 2 });
  });

  it('counts tokens per minute by reservation, then by cost, and frees them a minute later', async () => {
    const { ledger, now, advance } = ledgerAt();
    await ledger.load('k1');
    const limited = key({ tokensPerMinute: 150 });
    expect(ledger.openTurn(limited, lease('a', now()), DAY, 100)).toBeNull();
    const refused = ledger.openTurn(limited, lease('b', now()), DAY, 100);
    expect(refused).toMatchObject({ refusal: 'key-tokens' });
    expect(refused?.retryAfterMs).toBe(60_000);
    ledger.settle('a', DAY, 40);
    expect(ledger.openTurn(limited, lease('b', now()), DAY, 100)).toBeNull();
    advance(60_001);
    expect(ledger.openTurn(limited, lease('c', now()), DAY, 100)).toBeNull();
  });

  it('holds a key to its streams, and an unsettled lease frees its slot when it expires', async () => {
    const { ledger, now, advance } = ledgerAt();
    await ledger.load('k1');
    const limited = key({ maxConcurrentStreams: 1 });
    expect(ledger.openTurn(limited, lease('a', now()), DAY, 10)).toBeNull();
    expect(ledger.openTurn(limited, lease('b', now()), DAY, 10)).toMatchObject({ refusal: 'key-streams' });
    advance(60_000);
    expect(ledger.openTurn(limited, lease('b', now()), DAY, 10)).toBeNull();
  });

  it('counts requests per minute in a sliding window', async () => {
    const { ledger } = ledgerAt();
    await ledger.load('k1');
    const limited = key({ requestsPerMinute: 2 });
    expect('keyRate' in ledger.admit(limited)).toBe(true);
    expect('keyRate' in ledger.admit(limited)).toBe(true);
    expect(ledger.admit(limited)).toMatchObject({ refusal: 'key-rate' });
  });
});
