import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { admissionOf } from '../../../src/modules/admission/admission.client';
import type { AdmitRequest } from '../../../src/modules/admission/admission.types';
import { registerAndLogin } from '../../helpers/auth';
import { captureLogs, linesWith } from '../../helpers/logs';

const turn = {
  day: '2026-11-23',
  waitMs: 0,
  maxStreams: 1,
  leaseTtlMs: 60_000,
  reserveTokens: 10,
  dailyTokenBudget: 1_000,
  dailyMessageQuota: 100,
};

const request = (userId: string, overrides: Partial<AdmitRequest> = {}): AdmitRequest => ({
  userId,
  tokenVersion: 0,
  sessionId: 'session',
  accountMaxAgeMs: 60_000,
  sessionWindowMs: 16 * 60_000,
  rate: { limit: 100, windowMs: 60_000 },
  ...overrides,
});

describe('AdmissionObject', () => {
  it('never leases a turn to a token its account no longer accepts', async () => {
    const me = await registerAndLogin();
    const object = admissionOf(env.ADMISSION, me.userId);
    await env.DB.prepare('UPDATE users SET token_version = 1 WHERE id = ?').bind(me.userId).run();
    await object.accountChanged();
    expect(await object.admit(request(me.userId, { turn }))).toEqual({ ok: false, refusal: 'account' });
    // The one slot is still free for the current token.
    const current = await object.admit(request(me.userId, { tokenVersion: 1, turn }));
    expect(current).toMatchObject({ ok: true, lease: { reserved: 10 } });
  });

  it('counts the per-user limit exactly and refuses past it', async () => {
    const me = await registerAndLogin();
    const object = admissionOf(env.ADMISSION, me.userId);
    const limited = request(me.userId, { rate: { limit: 3, windowMs: 60_000 } });
    const answers = await Promise.all(Array.from({ length: 5 }, () => object.admit(limited)));
    expect(answers.filter((a) => a.ok)).toHaveLength(3);
    expect(answers.filter((a) => !a.ok && a.refusal === 'rate')).toHaveLength(2);
  });

  it('refuses tokens of a session whose refresh-token family D1 shows revoked', async () => {
    const me = await registerAndLogin();
    const object = admissionOf(env.ADMISSION, me.userId);
    const [family] = (
      await env.DB.prepare('SELECT family_id FROM refresh_tokens WHERE user_id = ?')
        .bind(me.userId)
        .all<{ family_id: string }>()
    ).results;
    const sessionId = family?.family_id as string;
    expect(await object.admit(request(me.userId, { sessionId }))).toMatchObject({ ok: true });
    await env.DB.prepare('UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ?')
      .bind(Date.now(), sessionId)
      .run();
    await object.accountChanged();
    expect(await object.admit(request(me.userId, { sessionId }))).toEqual({ ok: false, refusal: 'account' });
    expect(await object.admit(request(me.userId, { sessionId: 'another' }))).toMatchObject({ ok: true });
  });

  it('answers only for the user it is named after', async () => {
    const [me, other] = [await registerAndLogin(), await registerAndLogin()];
    const object = admissionOf(env.ADMISSION, me.userId);
    expect(await object.admit(request(me.userId))).toMatchObject({ ok: true });
    const logs = captureLogs();
    expect(await object.admit(request(other.userId))).toEqual({ ok: false, refusal: 'account' });
    const fresh = admissionOf(env.ADMISSION, crypto.randomUUID());
    expect(await fresh.admit(request(other.userId))).toEqual({ ok: false, refusal: 'account' });
    expect(linesWith(logs, 'admission object asked about a user it is not named after')).toHaveLength(2);
  });
});
