import { describe, expect, it } from 'vitest';
import { slideWindow } from '../../src/lib/rate-limit/sliding-window';

describe('slideWindow', () => {
  it('counts up to the limit within one window and reports the window end as reset', () => {
    let counts: ReturnType<typeof slideWindow>['counts'] | undefined;
    const remaining = [];
    for (let i = 0; i < 3; i++) {
      const step = slideWindow(counts, 10_500, 3, 1_000);
      counts = step.counts;
      remaining.push(step.result.remaining);
      expect(step.result).toMatchObject({ success: true, limit: 3, reset: 11_000 });
    }
    expect(remaining).toEqual([2, 1, 0]);
    expect(slideWindow(counts, 10_900, 3, 1_000).result).toEqual({
      success: false,
      limit: 3,
      remaining: 0,
      reset: 11_000,
    });
  });

  it('weighs the previous window by how much of it the sliding window still covers', () => {
    const full = { windowStart: 10_000, current: 10, previous: 0 };
    // 25% into the next window, 75% of the previous 10 still count (7); with this request, 2 remain.
    const step = slideWindow(full, 11_250, 10, 1_000);
    expect(step.result).toMatchObject({ success: true, remaining: 2 });
    expect(step.counts).toEqual({ windowStart: 11_000, current: 1, previous: 10 });
  });

  it('forgets counts older than the previous window', () => {
    const old = { windowStart: 10_000, current: 10, previous: 10 };
    expect(slideWindow(old, 12_100, 10, 1_000).result).toMatchObject({ success: true, remaining: 9 });
  });
});
