import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
const PERIOD = 30;
const DIGITS = 6;
/** ±1 step: a phone clock half a minute off still works. */
const WINDOW = 1;

export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

const totpOf = (secret: string, label = 'account', issuer = '') =>
  new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secret) });

export const otpauthUri = (secret: string, label: string, issuer: string) => totpOf(secret, label, issuer).toString();

/** The time step a code belongs to (within ±1 step of now), or undefined when it matches none. */
export function matchingStep(secret: string, code: string, now = Date.now()): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const totp = totpOf(secret);
  const delta = totp.validate({ token: code, timestamp: now, window: WINDOW });
  return delta === null ? undefined : totp.counter({ timestamp: now }) + delta;
}

/** For tests and the browser suite: the code an authenticator app would show. */
export const currentCode = (secret: string, now = Date.now()) => totpOf(secret).generate({ timestamp: now });
