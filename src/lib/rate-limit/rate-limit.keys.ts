/**
 * The address to limit. `CF-Connecting-IP` is set by Cloudflare's edge and cannot be forged
 * through it; `X-Forwarded-For` is client-controlled unless a proxy of ours rewrites it, so it
 * is read only when configured to be trusted (its first entry, the proxy's view of the client).
 */
export function clientIp(headers: Headers, trustXForwardedFor: boolean): string {
  if (trustXForwardedFor) {
    const forwarded = headers.get('X-Forwarded-For')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  // Only requests that bypass Cloudflare's edge (local tools) lack it; they share one bucket.
  return headers.get('CF-Connecting-IP')?.trim() || 'unknown';
}

/**
 * IPv6 clients usually hold a whole /64, so limiting single addresses would let one client
 * rotate through 2^64 of them. IPv4 addresses and anything unparsable stay as they are.
 */
export function ipBucket(ip: string): string {
  // IPv4-mapped and zoned forms are left whole rather than risk lumping them together.
  if (!ip.includes(':') || ip.includes('.') || ip.includes('%')) return ip;
  const halves = ip.toLowerCase().split('::');
  if (halves.length > 2) return ip;
  const [head = '', tail] = halves;
  const left = head ? head.split(':') : [];
  if (tail === undefined && left.length < 4) return ip;
  // Only the first four groups matter; an embedded IPv4 suffix is never among them.
  const right = tail ? tail.split(':') : [];
  const missing = Math.max(0, 8 - left.length - right.length);
  const groups = [...left, ...Array<string>(missing).fill('0'), ...right].slice(0, 4);
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return ip;
  return `${groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Emails differ only by case and stray whitespace for the same mailbox as far as logins go. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The first 128 bits of the identifier's SHA-256, in hex: storage keys and logs never hold an
 * email or an IP, and every key has the same short length whatever the client sent.
 */
export async function rateLimitKey(identifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(identifier));
  return [...new Uint8Array(digest, 0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
