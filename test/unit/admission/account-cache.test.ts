import { describe, expect, it } from 'vitest';
import { AccountCache, type AccountState } from '../../../src/modules/admission/account-cache';

/** A fake D1 row the test can change, counting reads; `hold` keeps the next read pending. */
function row(initial: AccountState) {
  const state = { current: { ...initial }, reads: 0, release: undefined as (() => void) | undefined };
  const read = async () => {
    state.reads++;
    const seen = { ...state.current };
    if (state.release === undefined) return seen;
    await new Promise<void>((resolve) => {
      state.release = resolve;
    });
    return seen;
  };
  return { state, read };
}

const none: ReadonlySet<string> = new Set();
const active = (tokenVersion: number): AccountState => ({
  exists: true,
  isActive: true,
  tokenVersion,
  emailVerified: true,
  endedSessions: none,
});
const MINUTE = 60_000;

describe('AccountCache', () => {
  it('reads D1 once, then answers from its copy while the copy is young', async () => {
    const { state, read } = row(active(3));
    const cache = new AccountCache(read);
    expect(await cache.accepts(3, 'session', MINUTE)).toBe(true);
    expect(await cache.accepts(3, 'session', MINUTE)).toBe(true);
    expect(await cache.accepts(2, 'session', MINUTE)).toBe(false);
    expect(state.reads).toBe(1);
  });

  it('reads again once the copy is older than the allowed age', async () => {
    let now = 1_000;
    const { state, read } = row(active(0));
    const cache = new AccountCache(read, () => now);
    expect(await cache.accepts(0, 'session', MINUTE)).toBe(true);
    state.current = { exists: true, isActive: false, tokenVersion: 1, emailVerified: true, endedSessions: none };
    now += MINUTE - 1;
    expect(await cache.accepts(0, 'session', MINUTE)).toBe(true);
    now += 1;
    expect(await cache.accepts(0, 'session', MINUTE)).toBe(false);
    expect(state.reads).toBe(2);
  });

  it('with an allowed age of 0 reads D1 for every check', async () => {
    const { state, read } = row(active(0));
    const cache = new AccountCache(read);
    for (let i = 0; i < 3; i++) await cache.accepts(0, 'session', 0);
    expect(state.reads).toBe(3);
  });

  it('applies a change it is told about at once', async () => {
    const { state, read } = row(active(0));
    const cache = new AccountCache(read);
    expect(await cache.accepts(0, 'session', MINUTE)).toBe(true);
    state.current = active(1);
    cache.changed();
    expect(await cache.accepts(0, 'session', MINUTE)).toBe(false);
    expect(await cache.accepts(1, 'session', MINUTE)).toBe(true);
  });

  it('reads again for a token newer than its copy', async () => {
    const { state, read } = row(active(0));
    const cache = new AccountCache(read);
    await cache.accepts(0, 'session', MINUTE);
    state.current = active(1);
    expect(await cache.accepts(1, 'session', MINUTE)).toBe(true);
    expect(state.reads).toBe(2);
    expect(await cache.accepts(0, 'session', MINUTE)).toBe(false);
  });

  it('refuses inactive and deleted accounts whatever the version', async () => {
    const inactive = new AccountCache(
      row({ exists: true, isActive: false, tokenVersion: 0, emailVerified: true, endedSessions: none }).read,
    );
    expect(await inactive.accepts(0, 'session', MINUTE)).toBe(false);
    const deleted = new AccountCache(
      row({ exists: false, isActive: false, tokenVersion: -1, emailVerified: true, endedSessions: none }).read,
    );
    expect(await deleted.accepts(-1, 'session', MINUTE)).toBe(false);
  });

  it('shares one read between concurrent checks', async () => {
    const { state, read } = row(active(0));
    const cache = new AccountCache(read);
    const answers = await Promise.all([
      cache.accepts(0, 'session', MINUTE),
      cache.accepts(0, 'session', MINUTE),
      cache.accepts(0, 'session', MINUTE),
    ]);
    expect(answers).toEqual([true, true, true]);
    expect(state.reads).toBe(1);
  });

  it('never keeps a read that was in flight when a change arrived', async () => {
    const { state, read } = row(active(0));
    const cache = new AccountCache(read);
    state.release = () => {}; // hold the next read
    const early = cache.accepts(0, 'session', MINUTE);
    await Promise.resolve();
    state.current = active(1); // the write commits while the read is pending...
    cache.changed(); // ...and the admission object is told
    state.release?.();
    state.release = undefined;
    expect(await early).toBe(true); // the request that was already waiting saw the old row
    expect(await cache.accepts(0, 'session', MINUTE)).toBe(false); // but the old row was not kept
    expect(state.reads).toBe(2);
  });

  it('keeps a deleted account deleted without reading D1 again for every newer token', async () => {
    const { state, read } = row({
      exists: false,
      isActive: false,
      tokenVersion: -1,
      emailVerified: true,
      endedSessions: none,
    });
    const cache = new AccountCache(read);
    for (const version of [0, 3, 7]) expect(await cache.accepts(version, 'session', MINUTE)).toBe(false);
    expect(state.reads).toBe(1);
  });

  it('refuses a token minted for a session D1 says has ended', async () => {
    const { read } = row({ ...active(0), endedSessions: new Set(['ended']) });
    const cache = new AccountCache(read);
    expect(await cache.accepts(0, 'ended', MINUTE)).toBe(false);
    expect(await cache.accepts(0, 'session', MINUTE)).toBe(true);
  });
});
