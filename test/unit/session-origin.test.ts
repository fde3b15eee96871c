import { describe, expect, it } from 'vitest';
import { ipPrefix, sessionOrigin } from '../../src/modules/auth/session-origin';

describe('ipPrefix', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['2001:db8:abcd:12:3456::1', '2001:db8:abcd::/48'],
    ['2001:0db8:0000:0000::1', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
    ['999.1.1.1', null],
    ['unknown', null],
    ['', null],
  ])('%s → %s', (ip, prefix) => {
    expect(ipPrefix(ip)).toBe(prefix);
  });
});

it('truncates the user agent to 200 characters', () => {
  expect(sessionOrigin({ ip: '198.51.100.9', userAgent: 'a'.repeat(256) })).toEqual({
    userAgent: 'a'.repeat(200),
    ipPrefix: '198.51.100.0/24',
  });
});
