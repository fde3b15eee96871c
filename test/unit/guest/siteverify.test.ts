import { describe, expect, it } from 'vitest';
import { createFakeTurnstile } from '../../../scripts/fake-turnstile/handler.mjs';
import { siteverifyVerifier } from '../../../src/modules/guest/turnstile/siteverify.verifier';
import { DUMMY, SECRETS, turnstileVerifierContract } from '../../contract/turnstile-verifier.contract';

const URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';

turnstileVerifierContract('siteverify over fetch, against the fake siteverify', (scenario) => {
  const fake = createFakeTurnstile(scenario.reports);
  if (scenario.failFirst) fake.failNext(scenario.failFirst);
  return siteverifyVerifier({ url: URL, secret: scenario.secret, fetch: fake.fetch });
});

describe('siteverify client', () => {
  it('retries with the same idempotency_key, so the retried answer is the first one, not "spent"', async () => {
    const fake = createFakeTurnstile();
    fake.failNext(1);
    const verifier = siteverifyVerifier({ url: URL, secret: SECRETS.pass, fetch: fake.fetch });
    const outcome = await verifier.verify({
      token: DUMMY,
      remoteIp: '198.51.100.4',
      expectedHostnames: ['example.com'],
      expectedAction: '',
    });
    expect(outcome).toEqual({ ok: true });
    expect(fake.calls).toHaveLength(2);
    const [first, second] = fake.calls;
    expect(first?.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.idempotency_key).toBe(first?.idempotency_key);
    // The secret goes in the body, with the visitor's address; never anything else of theirs.
    expect(first).toMatchObject({ secret: SECRETS.pass, response: DUMMY, remoteip: '198.51.100.4' });
  });

  it('uses a fresh idempotency_key for each verification', async () => {
    const fake = createFakeTurnstile();
    const verifier = siteverifyVerifier({ url: URL, secret: SECRETS.pass, fetch: fake.fetch });
    const check = { token: DUMMY, expectedHostnames: ['example.com'], expectedAction: '' };
    await verifier.verify(check);
    await verifier.verify(check);
    expect(fake.calls[0]?.idempotency_key).not.toBe(fake.calls[1]?.idempotency_key);
  });

  it('treats an answer that is not JSON (an interstitial page) as no answer', async () => {
    const verifier = siteverifyVerifier({
      url: URL,
      secret: SECRETS.pass,
      fetch: async () => new Response('<html>Just a moment…</html>', { status: 200 }),
    });
    const check = { token: DUMMY, expectedHostnames: ['example.com'], expectedAction: '' };
    expect(await verifier.verify(check)).toEqual({ ok: false, reason: 'unavailable' });
  });
});
