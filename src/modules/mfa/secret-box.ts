import { AppError } from '../../lib/errors';
import type { MfaKey } from './mfa-keys';

/**
 * TOTP secrets at rest: AES-256-GCM under MFA_ENCRYPTION_KEYS, stored as `v1.<key id>.<iv>.<ciphertext>`
 * (base64url). The user id is the additional data, so a sealed secret copied onto another row does not open.
 */
const cache = new Map<string, Promise<CryptoKey>>();

function cryptoKey(key: MfaKey): Promise<CryptoKey> {
  const cacheKey = `${key.id}:${btoa(String.fromCharCode(...key.raw))}`;
  let imported = cache.get(cacheKey);
  if (!imported) {
    imported = crypto.subtle.importKey('raw', key.raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    cache.set(cacheKey, imported);
  }
  return imported;
}

const b64 = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
const unb64 = (text: string) =>
  Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));

export const mfaUnavailable = () =>
  new AppError(503, 'MFA_UNAVAILABLE', 'Two-factor authentication is not configured on this server.');

function keysOrFail(keys: readonly MfaKey[] | undefined): readonly MfaKey[] {
  if (!keys || keys.length === 0) throw mfaUnavailable();
  return keys;
}

export async function sealSecret(secret: string, userId: string, keys: readonly MfaKey[] | undefined): Promise<string> {
  const [key] = keysOrFail(keys) as [MfaKey];
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(userId) },
    await cryptoKey(key),
    new TextEncoder().encode(secret),
  );
  return `v1.${key.id}.${b64(iv)}.${b64(new Uint8Array(sealed))}`;
}

/** The secret, and whether it should be sealed again under the current first key. */
export async function openSecret(
  sealed: string,
  userId: string,
  keys: readonly MfaKey[] | undefined,
): Promise<{ secret: string; stale: boolean }> {
  const all = keysOrFail(keys);
  const [version, keyId, iv, data] = sealed.split('.');
  const key = all.find((k) => k.id === keyId);
  if (version !== 'v1' || !key || !iv || !data) {
    throw new AppError(500, 'INTERNAL_ERROR', 'Something went wrong on our side.', {
      cause: new Error(`TOTP secret sealed with an unknown key or format (key id ${keyId ?? '?'})`),
    });
  }
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: unb64(iv), additionalData: new TextEncoder().encode(userId) },
    await cryptoKey(key),
    unb64(data),
  );
  return { secret: new TextDecoder().decode(plain), stale: key.id !== all[0]?.id };
}
