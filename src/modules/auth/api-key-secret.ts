const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 43 base62 characters carry 256 random bits (the issue asks for at least 128). */
const SECRET_CHARS = 43;

/** `sk_live_` / `sk_test_` and the random part; anything else is no key of ours (refused like an unknown one). */
export const API_KEY_PATTERN = /^sk_(live|test)_[0-9A-Za-z]{43}$/;

/** How a value in `Authorization: Bearer …` tells an API key from an access token. */
export const looksLikeApiKey = (value: string) => value.startsWith('sk_');

export type NewSecret = { secret: string; hash: string; prefix: string; last4: string };

/** A fresh secret, shown once; only its hash and the characters for recognising it are kept. */
export async function newApiKeySecret(live: boolean): Promise<NewSecret> {
  const secret = `${live ? 'sk_live_' : 'sk_test_'}${randomBase62(SECRET_CHARS)}`;
  return { secret, hash: await hashApiKey(secret), prefix: secret.slice(0, 12), last4: secret.slice(-4) };
}

/** SHA-256, hex. A 256-bit random secret needs no slow hash: nothing about it can be guessed offline. */
export async function hashApiKey(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Uniform base62: bytes of 248 and above are dropped, so no character is likelier than another. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}
