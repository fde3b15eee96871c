import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config';
import { parseRateLimitConfig } from '../../src/lib/rate-limit/rate-limit.config';

const upstash = { UPSTASH_REDIS_REST_URL: 'https://eu1.upstash.io', UPSTASH_REDIS_REST_TOKEN: 'secret' };

describe('parseRateLimitConfig', () => {
  it('defaults to the documented policies and the Durable Object backend', () => {
    const config = parseRateLimitConfig({}, false);
    expect(config.backend).toBe('durable-object');
    expect(config.trustXForwardedFor).toBe(false);
    expect(config.policies).toEqual({
      ip: { name: 'ip', limit: 120, windowMs: 60_000 },
      loginIp: { name: 'login-ip', limit: 5, windowMs: 60_000 },
      loginEmail: { name: 'login-email-client', limit: 5, windowMs: 900_000 },
      loginEmailAll: { name: 'login-email', limit: 100, windowMs: 900_000 },
      registerIp: { name: 'register-ip', limit: 3, windowMs: 60_000 },
      refreshIp: { name: 'refresh-ip', limit: 10, windowMs: 60_000 },
      accountIp: { name: 'account-ip', limit: 10, windowMs: 60_000 },
      mailAddress: { name: 'mail-address', limit: 5, windowMs: 3_600_000 },
      user: { name: 'user', limit: 60, windowMs: 60_000 },
      documentUpload: { name: 'document-upload', limit: 30, windowMs: 3_600_000 },
    });
  });

  it('reads policies written as requests/window', () => {
    const config = parseRateLimitConfig({ RATE_LIMIT_IP: '1000/30s', RATE_LIMIT_USER: '5 / 1h' }, false);
    expect(config.policies.ip).toMatchObject({ limit: 1000, windowMs: 30_000 });
    expect(config.policies.user).toMatchObject({ limit: 5, windowMs: 3_600_000 });
  });

  it('names a malformed variable', () => {
    expect(() => parseRateLimitConfig({ RATE_LIMIT_LOGIN_IP: 'lots' }, false)).toThrow(/RATE_LIMIT_LOGIN_IP/);
    expect(() => parseRateLimitConfig({ RATE_LIMIT_IP: '0/1m' }, false)).toThrow(/RATE_LIMIT_IP/);
    expect(() => parseRateLimitConfig({ RATE_LIMIT_BACKEND: 'memcached' }, false)).toThrow(/RATE_LIMIT_BACKEND/);
    expect(() => parseRateLimitConfig({ TRUST_X_FORWARDED_FOR: 'yes' }, false)).toThrow(ConfigError);
  });

  it('uses Upstash when both its URL and token are set, and treats blank ones as unset', () => {
    expect(parseRateLimitConfig(upstash, false)).toMatchObject({
      backend: 'upstash',
      upstash: { url: upstash.UPSTASH_REDIS_REST_URL, token: 'secret', timeoutMs: 1000 },
    });
    expect(parseRateLimitConfig({ UPSTASH_REDIS_REST_URL: '', UPSTASH_REDIS_REST_TOKEN: ' ' }, false).backend).toBe(
      'durable-object',
    );
  });

  it('refuses half an Upstash configuration and a non-URL', () => {
    expect(() => parseRateLimitConfig({ UPSTASH_REDIS_REST_URL: upstash.UPSTASH_REDIS_REST_URL }, false)).toThrow(
      /UPSTASH_REDIS_REST_TOKEN/,
    );
    expect(() => parseRateLimitConfig({ ...upstash, UPSTASH_REDIS_REST_URL: 'eu1.upstash.io' }, false)).toThrow(
      /UPSTASH_REDIS_REST_URL/,
    );
    expect(() => parseRateLimitConfig({ RATE_LIMIT_BACKEND: 'upstash' }, false)).toThrow(/RATE_LIMIT_BACKEND/);
  });

  it('refuses, in production, turning limits off or sending the token over plain http', () => {
    expect(parseRateLimitConfig({ RATE_LIMIT_BACKEND: 'none' }, false).backend).toBe('none');
    expect(() => parseRateLimitConfig({ RATE_LIMIT_BACKEND: 'none' }, true)).toThrow(/RATE_LIMIT_BACKEND.*production/);
    const local = { ...upstash, UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:8079' };
    expect(parseRateLimitConfig(local, false).backend).toBe('upstash');
    expect(() => parseRateLimitConfig(local, true)).toThrow(/UPSTASH_REDIS_REST_URL.*https/);
  });

  it('lets the Durable Object backend be chosen even with Upstash configured', () => {
    expect(parseRateLimitConfig({ ...upstash, RATE_LIMIT_BACKEND: 'durable-object' }, true).backend).toBe(
      'durable-object',
    );
  });
});
