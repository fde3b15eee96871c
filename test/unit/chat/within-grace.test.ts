import { describe, expect, it } from 'vitest';
import { withinGrace } from '../../../src/modules/chat/within-grace';

describe('withinGrace', () => {
  it('gives the search result when it is already in', async () => {
    expect(await withinGrace(Promise.resolve([1, 2]), 0, 'r')).toEqual([1, 2]);
  });

  it('gives up on a search still running after the grace, with nothing', async () => {
    const never = new Promise<number[]>(() => {});
    const started = Date.now();
    expect(await withinGrace(never, 20, 'r')).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('waits up to the grace for a search that arrives within it', async () => {
    const soon = new Promise<number[]>((resolve) => setTimeout(() => resolve([3]), 10));
    expect(await withinGrace(soon, 500, 'r')).toEqual([3]);
  });
});
