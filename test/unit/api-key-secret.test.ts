import { describe, expect, it } from 'vitest';
import { API_KEY_PATTERN, hashApiKey, newApiKeySecret } from '../../src/modules/auth/api-key-secret';

describe('API key secrets', () => {
  it('are sk_live_ in production and sk_test_ elsewhere, 43 base62 characters, all different', async () => {
    const live = await newApiKeySecret(true);
    const test = await newApiKeySecret(false);
    expect(live.secret).toMatch(/^sk_live_[0-9A-Za-z]{43}$/);
    expect(test.secret).toMatch(/^sk_test_[0-9A-Za-z]{43}$/);
    expect(API_KEY_PATTERN.test(live.secret)).toBe(true);
    const many = await Promise.all(Array.from({ length: 50 }, () => newApiKeySecret(false)));
    expect(new Set(many.map((k) => k.secret)).size).toBe(50);
  });

  it('keep only a SHA-256 of the secret and the characters to recognise it by', async () => {
    const { secret, hash, prefix, last4 } = await newApiKeySecret(false);
    expect(hash).toBe(await hashApiKey(secret));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(prefix).toBe(secret.slice(0, 12));
    expect(last4).toBe(secret.slice(-4));
  });

  it('use every base62 character about equally often', async () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      for (const ch of (await newApiKeySecret(false)).secret.slice(8)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    // 8600 characters over 62: about 139 each; a biased modulo would skew the first 8 far more than this.
    for (const n of counts.values()) expect(n).toBeLessThan(220);
  });
});
