import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SettleRequest } from '../../../src/modules/admission/admission.types';
import { TurnLifecycle } from '../../../src/modules/chat/turn-lifecycle';

function lifecycle() {
  const settled: SettleRequest[] = [];
  const ceiling: number[] = [];
  const pending: Promise<unknown>[] = [];
  const turn = new TurnLifecycle(
    { id: 'lease-1', reserved: 100, waited: false },
    '2026-11-27',
    { granted: true, settle: async (used) => void ceiling.push(used) },
    {
      settle: async (request) => void settled.push(request),
      waitUntil: (promise) => void pending.push(promise),
      requestId: 'req-1',
    },
  );
  return { turn, settled, ceiling, flush: () => Promise.all(pending) };
}

describe('TurnLifecycle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the lease back by itself when the turn’s events are never run', async () => {
    vi.useFakeTimers();
    const { settled, ceiling, flush } = lifecycle();
    await vi.advanceTimersByTimeAsync(30_000);
    await flush();
    expect(settled).toEqual([{ lease: 'lease-1', day: '2026-11-27', usedTokens: 0, refundMessage: true }]);
    expect(ceiling).toEqual([0]);
  });

  it('settles once, with what the turn cost, after its record is written', async () => {
    const { turn, settled, ceiling, flush } = lifecycle();
    turn.started();
    const order: string[] = [];
    turn.finish(async () => void order.push('record'), 42);
    turn.abandon();
    turn.finish(async () => void order.push('second record'), 7);
    await flush();
    expect(order).toEqual(['record']);
    expect(settled).toEqual([{ lease: 'lease-1', day: '2026-11-27', usedTokens: 42, refundMessage: false }]);
    expect(ceiling).toEqual([42]);
  });

  it('still settles when the record fails', async () => {
    const { turn, settled, flush } = lifecycle();
    turn.finish(async () => {
      throw new Error('D1 down');
    }, 5);
    await flush();
    expect(settled).toHaveLength(1);
  });
});
