import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { userGateFor } from '../../../src/modules/users/user-gate';
import { registerAndLogin } from '../../helpers/auth';
import { captureLogs, linesWith } from '../../helpers/logs';

const slot = { maxStreams: 1, ttlMs: 60_000, day: '2026-11-23', dailyBudget: 1_000 };

describe('UserGate', () => {
  it('never gives a stream slot to a token its account no longer accepts', async () => {
    const me = await registerAndLogin();
    const gate = userGateFor(env.USER_GATE, me.userId);
    const account = { userId: me.userId, tokenVersion: 0, maxAgeMs: 60_000 };
    await env.DB.prepare('UPDATE users SET token_version = 1 WHERE id = ?').bind(me.userId).run();
    await gate.accountChanged();
    expect(await gate.acquire({ ...slot, account })).toEqual({ lease: null, refusal: 'account' });
    // The one slot is still free for the current token.
    const current = await gate.acquire({ ...slot, account: { ...account, tokenVersion: 1 } });
    expect(current.lease).toEqual(expect.any(String));
  });

  it('answers only for the user it is named after', async () => {
    const [me, other] = [await registerAndLogin(), await registerAndLogin()];
    const gate = userGateFor(env.USER_GATE, me.userId);
    expect(await gate.checkAccount({ userId: me.userId, tokenVersion: 0, maxAgeMs: 60_000 })).toBe(true);
    const logs = captureLogs();
    expect(await gate.checkAccount({ userId: other.userId, tokenVersion: 0, maxAgeMs: 60_000 })).toBe(false);
    const fresh = userGateFor(env.USER_GATE, crypto.randomUUID());
    expect(await fresh.checkAccount({ userId: other.userId, tokenVersion: 0, maxAgeMs: 60_000 })).toBe(false);
    expect(linesWith(logs, 'user gate asked about a user it is not named after')).toHaveLength(2);
  });
});
