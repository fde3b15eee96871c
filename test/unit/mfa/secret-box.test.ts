import { describe, expect, it } from 'vitest';
import { normalizeBackupCode } from '../../../src/modules/mfa/backup-codes';
import { parseMfaKeys } from '../../../src/modules/mfa/mfa-keys';
import { openSecret, sealSecret } from '../../../src/modules/mfa/secret-box';
import { currentCode, matchingStep } from '../../../src/modules/mfa/totp';

const key = (id: string, fill: string) => `${id}:${btoa(fill.repeat(32))}`;
const old = parseMfaKeys(key('k1', 'a'));
const rotated = parseMfaKeys(`${key('k2', 'b')},${key('k1', 'a')}`);

describe('TOTP secrets at rest', () => {
  it('seals with AES-GCM and opens for the same user only', async () => {
    const sealed = await sealSecret('JBSWY3DPEHPK3PXP', 'user-1', old);
    expect(sealed).toMatch(/^v1\.k1\./);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(await openSecret(sealed, 'user-1', old)).toEqual({ secret: 'JBSWY3DPEHPK3PXP', stale: false });
    await expect(openSecret(sealed, 'user-2', old)).rejects.toThrow();
  });

  it('opens secrets sealed under a retired key after rotation, and says they are stale', async () => {
    const sealed = await sealSecret('JBSWY3DPEHPK3PXP', 'user-1', old);
    expect(await openSecret(sealed, 'user-1', rotated)).toEqual({ secret: 'JBSWY3DPEHPK3PXP', stale: true });
    expect(await sealSecret('JBSWY3DPEHPK3PXP', 'user-1', rotated)).toMatch(/^v1\.k2\./);
  });

  it('refuses to seal without a key (MFA_UNAVAILABLE)', async () => {
    await expect(sealSecret('x', 'u', undefined)).rejects.toMatchObject({ code: 'MFA_UNAVAILABLE', status: 503 });
  });
});

describe('TOTP codes (RFC 6238)', () => {
  it('matches the RFC 6238 SHA-1 test vector at T=59, with ±1 step of skew', () => {
    // RFC 6238 appendix B: secret "12345678901234567890", 8 digits 94287082 → 6 digits 287082.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(currentCode(secret, 59_000)).toBe('287082');
    expect(matchingStep(secret, '287082', 59_000)).toBe(1);
    expect(matchingStep(secret, '287082', 59_000 + 30_000)).toBe(1);
    expect(matchingStep(secret, '287082', 59_000 + 60_000)).toBeUndefined();
    expect(matchingStep(secret, '28708', 59_000)).toBeUndefined();
  });

  it('reads backup codes however they are typed', () => {
    expect(normalizeBackupCode(' AB0C-1DEF-GH1J-KMNP ')).toBe('ab0c1defgh1jkmnp');
    expect(normalizeBackupCode('abOc-IdeF-ghLj-kmnp')).toBe('ab0c1defgh1jkmnp');
  });
});
