const encoder = new TextEncoder();

/**
 * The `user_id` sent to DeepSeek: an HMAC of our user id under a server secret. DeepSeek uses it to
 * isolate scheduling and caching per end user; it must not identify anyone outside our system, and
 * a keyed hash (unlike a bare SHA-256) cannot be reversed by hashing guessed ids.
 */
export async function providerUserId(userId: string, secret: string): Promise<string> {
  if (secret.length < 32) throw new TypeError('the provider user-id secret must be at least 32 characters');
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(userId)));
  // 128 bits are plenty to keep users apart and keep the field short.
  return Array.from(mac.slice(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
