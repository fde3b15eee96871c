import { describe, expect, it } from 'vitest';
import type { TurnstileVerifier } from '../../src/modules/guest/turnstile/turnstile.types';

/** What a backend under test is built from: the secret it holds, and how the service behind it behaves. */
export type VerifierScenario = {
  secret: string;
  /** What passing answers report as hostname and action. */
  reports?: { hostname?: string; action?: string };
  /** siteverify fails this many calls (HTTP 500) before answering. */
  failFirst?: number;
};

export const DUMMY = 'XXXX.DUMMY.TOKEN.XXXX';
export const SECRETS = {
  pass: '1x0000000000000000000000000000000AA',
  fail: '2x0000000000000000000000000000000AA',
  spent: '3x0000000000000000000000000000000AA',
};

const check = (token: string, overrides: Partial<Parameters<TurnstileVerifier['verify']>[0]> = {}) => ({
  token,
  remoteIp: '203.0.113.9',
  expectedHostnames: ['example.com'],
  expectedAction: '',
  ...overrides,
});

/**
 * Every Turnstile verifier must pass this suite: Cloudflare's test keys decide as documented, a token
 * solved for another hostname or action is refused, and an outage is `unavailable`, never a pass.
 */
export function turnstileVerifierContract(name: string, make: (scenario: VerifierScenario) => TurnstileVerifier) {
  describe(`${name}: Turnstile verifier contract`, () => {
    it('passes the dummy token under the always-pass test secret', async () => {
      expect(await make({ secret: SECRETS.pass }).verify(check(DUMMY))).toEqual({ ok: true });
    });

    it('refuses any other token, an empty one and an oversized one', async () => {
      const verifier = make({ secret: SECRETS.pass });
      for (const token of ['not-a-token', '', 'x'.repeat(2049)]) {
        expect(await verifier.verify(check(token))).toEqual({ ok: false, reason: 'invalid' });
      }
    });

    it('refuses everything under the always-fail secret', async () => {
      expect(await make({ secret: SECRETS.fail }).verify(check(DUMMY))).toEqual({ ok: false, reason: 'invalid' });
    });

    it('reports a spent token as spent', async () => {
      expect(await make({ secret: SECRETS.spent }).verify(check(DUMMY))).toEqual({ ok: false, reason: 'spent' });
    });

    it('refuses a token solved on another hostname, or for another action', async () => {
      const elsewhere = make({ secret: SECRETS.pass, reports: { hostname: 'evil.example' } });
      expect(await elsewhere.verify(check(DUMMY))).toEqual({ ok: false, reason: 'hostname' });
      const otherAction = make({ secret: SECRETS.pass, reports: { action: 'login' } });
      expect(await otherAction.verify(check(DUMMY, { expectedAction: 'guest-session' }))).toEqual({
        ok: false,
        reason: 'action',
      });
      const sameAction = make({ secret: SECRETS.pass, reports: { action: 'guest-session' } });
      expect(await sameAction.verify(check(DUMMY, { expectedAction: 'guest-session' }))).toEqual({ ok: true });
    });

    it('calls an unknown secret misconfigured, not the visitor’s fault', async () => {
      expect(await make({ secret: '0x-not-a-real-secret' }).verify(check(DUMMY))).toEqual({
        ok: false,
        reason: 'misconfigured',
      });
    });

    it('survives one failed call, and treats a lasting outage as unavailable, never as a pass', async () => {
      expect(await make({ secret: SECRETS.pass, failFirst: 1 }).verify(check(DUMMY))).toEqual({ ok: true });
      expect(await make({ secret: SECRETS.pass, failFirst: 5 }).verify(check(DUMMY))).toEqual({
        ok: false,
        reason: 'unavailable',
      });
    });
  });
}
