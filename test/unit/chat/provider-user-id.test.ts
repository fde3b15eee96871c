import { describe, expect, it } from 'vitest';
import { providerUserId } from '../../../src/modules/provider/provider-user-id';

const secret = 'a-server-side-secret-of-some-length';

describe('providerUserId', () => {
  it('is stable per user, distinct between users, and does not carry the id', async () => {
    const a = await providerUserId('user-123', secret);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(await providerUserId('user-123', secret)).toBe(a);
    expect(await providerUserId('user-124', secret)).not.toBe(a);
    expect(a).not.toContain('user');
  });

  it('depends on the secret, so ids cannot be matched by hashing guesses', async () => {
    expect(await providerUserId('user-123', secret)).not.toBe(await providerUserId('user-123', `${secret}!`));
  });

  it('refuses a short secret', async () => {
    await expect(providerUserId('user-123', 'short')).rejects.toThrow(TypeError);
  });
});
