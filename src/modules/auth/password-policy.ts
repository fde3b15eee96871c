import type { Config } from '../../config';

export type PasswordContext = { email?: string; username?: string };

export type PolicyViolation = { code: string; message: string };

let commonPasswords: Promise<ReadonlySet<string>> | undefined;

/**
 * zxcvbn's ranked list of ~49,000 leaked passwords. Loaded lazily: the bundler keeps the dynamic
 * import in the same bundle but evaluates (decompresses) it only when a password is first checked.
 */
function loadCommonPasswords(): Promise<ReadonlySet<string>> {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase())),
  );
  return commonPasswords;
}

/**
 * ASVS 5.0 / NIST 800-63B: length first, then not a known-common password, not built from the
 * account's own name. Character-class rules are opt-in (NIST advises against them). The first
 * failing rule is returned so each refusal has its own clear message.
 */
export async function checkPassword(
  password: string,
  context: PasswordContext,
  policy: Config['password'],
): Promise<PolicyViolation | undefined> {
  const length = [...password].length; // code points, so an emoji counts as one character
  if (length < policy.minLength) {
    return {
      code: 'PASSWORD_TOO_SHORT',
      message: `The password must be at least ${policy.minLength} characters long.`,
    };
  }
  if (length > policy.maxLength) {
    return { code: 'PASSWORD_TOO_LONG', message: `The password must be at most ${policy.maxLength} characters long.` };
  }
  const lower = password.toLowerCase();
  const localPart = context.email?.split('@')[0]?.toLowerCase();
  if (localPart && localPart.length >= 3 && lower.includes(localPart)) {
    return { code: 'PASSWORD_CONTAINS_EMAIL', message: 'The password must not contain your email address.' };
  }
  const username = context.username?.toLowerCase();
  if (username && username.length >= 3 && lower.includes(username)) {
    return { code: 'PASSWORD_CONTAINS_USERNAME', message: 'The password must not contain your username.' };
  }
  if ((await loadCommonPasswords()).has(lower)) {
    return { code: 'PASSWORD_TOO_COMMON', message: 'This password is too common. Choose one that is harder to guess.' };
  }
  if (policy.requireCharacterClasses) {
    const classes: [RegExp, string][] = [
      [/\p{Lu}/u, 'an uppercase letter'],
      [/\p{Ll}/u, 'a lowercase letter'],
      [/\p{Nd}/u, 'a digit'],
      [/[^\p{L}\p{Nd}]/u, 'a symbol'],
    ];
    const missing = classes.filter(([pattern]) => !pattern.test(password)).map(([, name]) => name);
    if (missing.length > 0) {
      return { code: 'PASSWORD_MISSING_CHARACTER_CLASS', message: `The password must contain ${missing.join(', ')}.` };
    }
  }
  return undefined;
}
