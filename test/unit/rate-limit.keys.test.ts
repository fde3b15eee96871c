import { describe, expect, it } from 'vitest';
import { clientIp, ipBucket, normalizeEmail, rateLimitKey } from '../../src/lib/rate-limit/rate-limit.keys';

describe('clientIp', () => {
  const headers = new Headers({ 'CF-Connecting-IP': '203.0.113.7', 'X-Forwarded-For': '198.51.100.1, 10.0.0.1' });

  it('uses CF-Connecting-IP and ignores X-Forwarded-For by default', () => {
    expect(clientIp(headers, false)).toBe('203.0.113.7');
  });

  it('uses the first X-Forwarded-For entry only when configured to trust it', () => {
    expect(clientIp(headers, true)).toBe('198.51.100.1');
    expect(clientIp(new Headers({ 'CF-Connecting-IP': '203.0.113.7' }), true)).toBe('203.0.113.7');
  });

  it('puts requests without any address in one shared bucket', () => {
    expect(clientIp(new Headers(), false)).toBe('unknown');
  });
});

describe('ipBucket', () => {
  it('keeps IPv4 addresses whole', () => {
    expect(ipBucket('203.0.113.7')).toBe('203.0.113.7');
  });

  it('limits IPv6 per /64, however the address is written', () => {
    const bucket = '2001:db8:1:2::/64';
    expect(ipBucket('2001:db8:1:2::1')).toBe(bucket);
    expect(ipBucket('2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd')).toBe(bucket);
    expect(ipBucket('2001:db8:1:3::1')).not.toBe(bucket);
    expect(ipBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
  });

  it('leaves unusual forms alone rather than lumping them together', () => {
    expect(ipBucket('::ffff:203.0.113.7')).toBe('::ffff:203.0.113.7');
    expect(ipBucket('fe80::1%eth0')).toBe('fe80::1%eth0');
    expect(ipBucket('not:an:ip')).toBe('not:an:ip');
  });
});

describe('keys', () => {
  it('normalises emails by trimming and lowercasing', () => {
    expect(normalizeEmail('  Jane.Doe@Example.COM\t')).toBe('jane.doe@example.com');
  });

  it('hashes identifiers into 32 hex characters that reveal nothing', async () => {
    const key = await rateLimitKey('jane.doe@example.com');
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(key).not.toContain('jane');
    expect(await rateLimitKey('jane.doe@example.com')).toBe(key);
    expect(await rateLimitKey('john@example.com')).not.toBe(key);
  });
});
