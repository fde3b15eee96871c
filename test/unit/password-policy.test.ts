import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config';
import { checkPassword } from '../../src/modules/auth/password-policy';

const policy: Config['password'] = {
  minLength: 12,
  maxLength: 128,
  requireCharacterClasses: false,
  argon2: { memoryKib: 19_456, iterations: 2, parallelism: 1 },
};

describe('checkPassword', () => {
  it('accepts a long passphrase with no character classes by default', async () => {
    expect(await checkPassword('purple monkey dishwasher', {}, policy)).toBeUndefined();
  });

  it('counts characters, not UTF-16 units', async () => {
    expect((await checkPassword('🔒'.repeat(11), {}, policy))?.code).toBe('PASSWORD_TOO_SHORT');
    expect(await checkPassword('🔒'.repeat(12), {}, policy)).toBeUndefined();
  });

  it('honours a configured floor of 8', async () => {
    expect(await checkPassword('zq8!kv2#', {}, { ...policy, minLength: 8 })).toBeUndefined();
  });

  it('refuses common passwords case-insensitively (once the floor lets them through)', async () => {
    const loose = { ...policy, minLength: 8 };
    expect((await checkPassword('password', {}, loose))?.code).toBe('PASSWORD_TOO_COMMON');
    expect((await checkPassword('PassWord1', {}, loose))?.code).toBe('PASSWORD_TOO_COMMON');
    expect((await checkPassword('qwertyuiop', {}, loose))?.code).toBe('PASSWORD_TOO_COMMON');
  });

  it('refuses passwords built from the email local part or the username', async () => {
    expect((await checkPassword('JaneDoe-forever!', { email: 'janedoe@x.test' }, policy))?.code).toBe(
      'PASSWORD_CONTAINS_EMAIL',
    );
    expect((await checkPassword('the-k1ng-of-chat', { username: 'k1ng' }, policy))?.code).toBe(
      'PASSWORD_CONTAINS_USERNAME',
    );
  });

  describe('with character classes switched on', () => {
    const strict = { ...policy, requireCharacterClasses: true };
    it('names every missing class', async () => {
      const violation = await checkPassword('alllowercaseletters', {}, strict);
      expect(violation?.code).toBe('PASSWORD_MISSING_CHARACTER_CLASS');
      expect(violation?.message).toContain('an uppercase letter');
      expect(violation?.message).toContain('a digit');
      expect(violation?.message).toContain('a symbol');
      expect(violation?.message).not.toContain('a lowercase letter');
    });
    it('accepts a password with all four', async () => {
      expect(await checkPassword('Quiet-Harbor-42', {}, strict)).toBeUndefined();
    });
  });
});
