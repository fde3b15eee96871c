import { ipBucket } from './rate-limit/rate-limit.keys';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * The network a client is in, never its address: an IPv4 /24 or an IPv6 /48 is enough for a person
 * to tell "my home" from "somewhere else", and no more than that is kept next to their account. Guest
 * limits count per prefix too, so one household or office shares one allowance.
 */
export function ipPrefix(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const v4 = IPV4.exec(ip);
  if (v4) return v4.slice(1, 4).every((part) => Number(part) <= 255) ? `${v4[1]}.${v4[2]}.${v4[3]}.0/24` : null;
  // ipBucket normalises an IPv6 address to its /64 ("a:b:c:d::/64"); anything else comes back unchanged.
  const bucket = ipBucket(ip);
  if (!bucket.endsWith('::/64')) return null;
  return `${bucket.split(':').slice(0, 3).join(':')}::/48`;
}
