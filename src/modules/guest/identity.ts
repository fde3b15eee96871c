/** What the host page passes to `SupportWidget.identify`, signed by the company's own server. */
export type SignedIdentity = { id: string; email: string; expires: number; signature: string };

export type Customer = { id: string; email: string };

/** An identity signed to last longer than this is refused: a leaked one must not live for years. */
const MAX_IDENTITY_LIFETIME_S = 31 * 24 * 60 * 60;

const encoder = new TextEncoder();

/** The message a site's server signs: HMAC-SHA256 of `id|email|expires` under the site's identity secret. */
export const identityMessage = (identity: Pick<SignedIdentity, 'id' | 'email' | 'expires'>) =>
  `${identity.id}|${identity.email}|${identity.expires}`;

function hexToBytes(hex: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * The customer an identity names, if its signature is the site's and it has not expired; otherwise
 * undefined — an identity that does not verify is ignored, never trusted, and never an error (the
 * visitor still chats, anonymously). `crypto.subtle.verify` compares in constant time.
 */
export async function verifiedCustomer(
  secret: string,
  identity: SignedIdentity | undefined,
  nowMs = Date.now(),
): Promise<Customer | undefined> {
  if (!identity) return undefined;
  const now = Math.floor(nowMs / 1000);
  if (
    !Number.isInteger(identity.expires) ||
    identity.expires <= now ||
    identity.expires > now + MAX_IDENTITY_LIFETIME_S
  ) {
    return undefined;
  }
  const signature = hexToBytes(identity.signature);
  if (!signature) return undefined;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  const valid = await crypto.subtle.verify('HMAC', key, signature, encoder.encode(identityMessage(identity)));
  return valid ? { id: identity.id, email: identity.email } : undefined;
}
