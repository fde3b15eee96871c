import { ConfigError } from '../../lib/config-error';

/** One AES-256-GCM key for TOTP secrets, named so a stored secret says which key sealed it. */
export type MfaKey = { id: string; raw: Uint8Array };

/**
 * `MFA_ENCRYPTION_KEYS` = `id:base64,id:base64…` (32-byte keys). The first seals new secrets; every
 * listed key opens: rotate by putting a new key first and keeping the old one until every secret was
 * re-sealed (each successful code re-seals a secret under the first key).
 */
export function parseMfaKeys(raw: string | undefined): MfaKey[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const keys = raw.split(',').map((entry) => {
    const [id, material, ...rest] = entry.trim().split(':');
    let bytes: Uint8Array | undefined;
    try {
      bytes = material
        ? Uint8Array.from(atob(material.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0))
        : undefined;
    } catch {
      bytes = undefined;
    }
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || rest.length > 0 || bytes?.length !== 32) {
      throw new ConfigError(
        'Invalid configuration: MFA_ENCRYPTION_KEYS: expected "id:base64" entries of 32-byte keys, comma-separated',
      );
    }
    return { id, raw: bytes };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    throw new ConfigError('Invalid configuration: MFA_ENCRYPTION_KEYS: key ids must be unique');
  }
  return keys;
}
