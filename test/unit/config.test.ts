import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';
import keys from '../fixtures/test-jwks.json';

const JWT_JWKS = JSON.stringify(keys.signing);
const base = { ENVIRONMENT: 'development', CORS_ORIGINS: 'http://localhost:8787', JWT_JWKS };

describe('parseConfig', () => {
  it('parses a minimal development config with defaults', () => {
    const config = parseConfig(base);
    expect(config.docsEnabled).toBe(true);
    expect(config.maxBodyBytes).toBe(65_536);
    expect(config.corsOrigins).toEqual(new Set(['http://localhost:8787']));
  });

  it('names a missing variable', () => {
    expect(() => parseConfig({ CORS_ORIGINS: 'http://a.test' })).toThrow(/ENVIRONMENT/);
  });

  it('names a malformed variable', () => {
    expect(() => parseConfig({ ...base, MAX_BODY_BYTES: 'lots' })).toThrow(/MAX_BODY_BYTES/);
    expect(() => parseConfig({ ...base, DOCS_ENABLED: 'yes' })).toThrow(/DOCS_ENABLED/);
    expect(() => parseConfig({ ...base, CORS_ORIGINS: 'https://a.test/path' })).toThrow(/CORS_ORIGINS/);
  });

  it('throws a ConfigError', () => {
    expect(() => parseConfig({})).toThrow(ConfigError);
  });

  it('allows a wildcard origin in development but refuses it in production', () => {
    expect(parseConfig({ ...base, CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    expect(() => parseConfig({ ENVIRONMENT: 'production', CORS_ORIGINS: '*', JWT_JWKS })).toThrow(
      /CORS_ORIGINS.*production/,
    );
  });

  it('refuses to run without signing keys, naming JWT_JWKS', () => {
    const { JWT_JWKS: _, ...unsigned } = base;
    expect(() => parseConfig(unsigned)).toThrow(/JWT_JWKS: missing/);
    expect(() => parseConfig({ ...unsigned, ENVIRONMENT: 'production', CORS_ORIGINS: 'https://a.test' })).toThrow(
      /JWT_JWKS/,
    );
  });

  it('refuses a key set that cannot sign or is not JSON', () => {
    expect(() => parseConfig({ ...base, JWT_JWKS: '{nope' })).toThrow(/JWT_JWKS: not valid JSON/);
    const publicOnly = { keys: keys.signing.keys.map(({ d: _d, ...rest }) => rest) };
    expect(() => parseConfig({ ...base, JWT_JWKS: JSON.stringify(publicOnly) })).toThrow(
      /JWT_JWKS: no key with a private part/,
    );
  });

  it('refuses Argon2 parameters below the OWASP floor or above the ceiling', () => {
    expect(() => parseConfig({ ...base, ARGON2_MEMORY_KIB: '8192' })).toThrow(/ARGON2_MEMORY_KIB/);
    expect(() => parseConfig({ ...base, ARGON2_ITERATIONS: '1' })).toThrow(/ARGON2_ITERATIONS/);
    expect(() => parseConfig({ ...base, ARGON2_MEMORY_KIB: '1000000' })).toThrow(/ARGON2_MEMORY_KIB/);
  });

  it('never allows a password floor under 8 or an access token over 15 minutes', () => {
    expect(() => parseConfig({ ...base, PASSWORD_MIN_LENGTH: '6' })).toThrow(/PASSWORD_MIN_LENGTH/);
    expect(() => parseConfig({ ...base, ACCESS_TOKEN_TTL_SECONDS: '3600' })).toThrow(/ACCESS_TOKEN_TTL_SECONDS/);
  });

  it('needs a DeepSeek key in production, and uses the canned local fake without one elsewhere', () => {
    const mfaAndMail = {
      MFA_ENCRYPTION_KEYS: `k1:${btoa('k'.repeat(32))}`,
      MAIL_FROM: 'no-reply@a.test',
      PUBLIC_APP_URL: 'https://a.test',
    };
    expect(() =>
      parseConfig({ ENVIRONMENT: 'production', CORS_ORIGINS: 'https://a.test', JWT_JWKS, ...mfaAndMail }),
    ).toThrow(/DEEPSEEK_API_KEY/);
    expect(parseConfig(base).chat.upstream).toMatchObject({ canned: true, baseUrl: 'http://127.0.0.1:8788' });
    expect(parseConfig({ ...base, DEEPSEEK_API_KEY: 'sk-live' }).chat.upstream).toMatchObject({
      canned: false,
      baseUrl: 'https://api.deepseek.com',
    });
  });

  it('names a bad chat model or budget entry', () => {
    expect(() => parseConfig({ ...base, CHAT_MODELS: 'fast=deepseek-flash;role=wizard' })).toThrow(/CHAT_MODELS/);
    expect(() => parseConfig({ ...base, TOKEN_BUDGET_DAILY: 'user:lots' })).toThrow(/TOKEN_BUDGET_DAILY/);
  });

  it('maps public model ids to DeepSeek by default: fast without thinking for all, thinking for moderators', () => {
    const chat = parseConfig(base).chat;
    expect(chat.defaultModel).toBe('support-fast');
    expect(chat.models).toEqual([
      { id: 'support-fast', upstreamModel: 'deepseek-flash', thinking: { enabled: false }, minRole: 'user' },
      {
        id: 'support-thinking',
        upstreamModel: 'deepseek-flash',
        thinking: { enabled: true, effort: 'high' },
        minRole: 'moderator',
      },
    ]);
  });

  it('reads CHAT_MODELS entries: thinking off unless turned on, effort high unless given', () => {
    const models = parseConfig({
      ...base,
      CHAT_MODELS:
        ' quick = deepseek-flash , deep=deepseek-flash;thinking=on;role=admin, deepest=x.y;thinking=on;effort=max',
    }).chat.models;
    expect(models).toEqual([
      { id: 'quick', upstreamModel: 'deepseek-flash', thinking: { enabled: false }, minRole: 'user' },
      { id: 'deep', upstreamModel: 'deepseek-flash', thinking: { enabled: true, effort: 'high' }, minRole: 'admin' },
      { id: 'deepest', upstreamModel: 'x.y', thinking: { enabled: true, effort: 'max' }, minRole: 'user' },
    ]);
  });

  it.each([
    ['the old id[:role] format', 'deepseek-flash,deepseek-reasoner:moderator', /no "publicId=upstreamModel"/],
    ['a thinking mode other than on/off', 'a=deepseek-flash;thinking=yes', /thinking/],
    ['an unknown effort', 'a=deepseek-flash;thinking=on;effort=medium', /effort/],
    ['an effort without thinking', 'a=deepseek-flash;effort=high', /effort needs thinking=on/],
    ['an unknown option', 'a=deepseek-flash;temperature=1', /temperature/],
    ['an option given twice', 'a=deepseek-flash;role=user;role=admin', /bad option "role=admin"/],
    ['a public id listed twice', 'a=deepseek-flash,a=deepseek-flash;thinking=on', /"a" listed twice/],
    ['an id with spaces', 'my model=deepseek-flash', /id/],
    ['no model at all', ' , ', /at least one model/],
  ])('refuses CHAT_MODELS with %s, naming the variable', (_name, value, detail) => {
    expect(() => parseConfig({ ...base, CHAT_MODELS: value })).toThrow(/^Invalid configuration: CHAT_MODELS: /);
    expect(() => parseConfig({ ...base, CHAT_MODELS: value })).toThrow(detail);
  });

  it('reads FAQ_CACHE_SECONDS: 60 by default, 0 (always fresh) to 3600, anything else named', () => {
    expect(parseConfig(base).chat.faqCacheSeconds).toBe(60);
    expect(parseConfig({ ...base, FAQ_CACHE_SECONDS: '0' }).chat.faqCacheSeconds).toBe(0);
    expect(parseConfig({ ...base, FAQ_CACHE_SECONDS: '3600' }).chat.faqCacheSeconds).toBe(3600);
    for (const bad of ['3601', '-1', '1.5', 'soon']) {
      expect(() => parseConfig({ ...base, FAQ_CACHE_SECONDS: bad })).toThrow(/FAQ_CACHE_SECONDS/);
    }
  });

  it('reads ACCOUNT_RECHECK_SECONDS: 60 s by default, 0 (read D1 every time) to 900, anything else named', () => {
    expect(parseConfig(base).auth.accountRecheckMs).toBe(60_000);
    expect(parseConfig({ ...base, ACCOUNT_RECHECK_SECONDS: '0' }).auth.accountRecheckMs).toBe(0);
    expect(parseConfig({ ...base, ACCOUNT_RECHECK_SECONDS: '900' }).auth.accountRecheckMs).toBe(900_000);
    for (const bad of ['901', '-1', '0.5', 'often']) {
      expect(() => parseConfig({ ...base, ACCOUNT_RECHECK_SECONDS: bad })).toThrow(/ACCOUNT_RECHECK_SECONDS/);
    }
  });

  const production = {
    ENVIRONMENT: 'production',
    CORS_ORIGINS: 'https://a.test',
    JWT_JWKS,
    DEEPSEEK_API_KEY: 'sk-test',
    PROVIDER_USER_ID_SECRET: 'p'.repeat(32),
    MFA_ENCRYPTION_KEYS: `k1:${btoa('k'.repeat(32))}`,
    MAIL_FROM: 'no-reply@a.test',
    PUBLIC_APP_URL: 'https://a.test',
    TURNSTILE_SITE_KEY: '0x4AAAAAAA-real-site-key',
    TURNSTILE_SECRET_KEY: '0x4AAAAAAA-real-secret-key',
  };

  it('refuses missing or test Turnstile keys, an http verify URL and the offline frame in production', () => {
    const { TURNSTILE_SECRET_KEY: _, ...noSecret } = production;
    expect(() => parseConfig(noSecret)).toThrow(/TURNSTILE_SECRET_KEY: missing or a test key/);
    expect(() => parseConfig({ ...production, TURNSTILE_SECRET_KEY: '1x0000000000000000000000000000000AA' })).toThrow(
      /TURNSTILE_SECRET_KEY: missing or a test key/,
    );
    expect(() => parseConfig({ ...production, TURNSTILE_SITE_KEY: '1x00000000000000000000AA' })).toThrow(
      /TURNSTILE_SITE_KEY: a test key/,
    );
    expect(() => parseConfig({ ...production, TURNSTILE_VERIFY_URL: 'http://siteverify.test/x' })).toThrow(
      /TURNSTILE_VERIFY_URL: must be https/,
    );
    expect(() => parseConfig({ ...production, TURNSTILE_SCRIPT_URL: '' })).toThrow(/TURNSTILE_SCRIPT_URL/);
    const guest = parseConfig(production).guest;
    expect(guest.turnstile.secret).toBe('0x4AAAAAAA-real-secret-key');
    expect(guest.turnstile.scriptUrl).toBe('https://challenges.cloudflare.com/turnstile/v0/api.js');
    // Outside production the test secret stands in, and an empty script URL means offline.
    const dev = parseConfig({ ENVIRONMENT: 'development', CORS_ORIGINS: '*', JWT_JWKS, TURNSTILE_SCRIPT_URL: '' });
    expect(dev.guest.turnstile.secret).toBe('1x0000000000000000000000000000000AA');
    expect(dev.guest.turnstile.scriptUrl).toBeUndefined();
  });

  it('refuses an http DeepSeek base URL in production only', () => {
    expect(() => parseConfig({ ...production, DEEPSEEK_BASE_URL: 'http://api.deepseek.com' })).toThrow(
      /DEEPSEEK_BASE_URL: must be https in production/,
    );
    expect(parseConfig({ ...production, DEEPSEEK_BASE_URL: 'https://api.deepseek.com/v1' }).chat.upstream.baseUrl).toBe(
      'https://api.deepseek.com/v1',
    );
    expect(
      parseConfig({ ...base, DEEPSEEK_API_KEY: 'sk-dev', DEEPSEEK_BASE_URL: 'http://127.0.0.1:9000' }).chat.upstream
        .baseUrl,
    ).toBe('http://127.0.0.1:9000');
  });

  it('refuses an http CORS origin in production only, naming it', () => {
    expect(() => parseConfig({ ...production, CORS_ORIGINS: 'https://a.test,http://b.test' })).toThrow(
      /CORS_ORIGINS: http:\/\/b\.test must be https in production/,
    );
    expect(parseConfig(production).corsOrigins).toEqual(new Set(['https://a.test']));
    expect(parseConfig({ ...base, CORS_ORIGINS: 'http://localhost:8787' }).corsOrigins).toEqual(
      new Set(['http://localhost:8787']),
    );
  });

  it('needs a provider user-id secret of 32+ characters in production; elsewhere a stand-in serves', () => {
    const { PROVIDER_USER_ID_SECRET: _, ...withoutSecret } = production;
    expect(() => parseConfig(withoutSecret)).toThrow(/PROVIDER_USER_ID_SECRET: missing/);
    expect(() => parseConfig({ ...production, PROVIDER_USER_ID_SECRET: 'short' })).toThrow(
      /PROVIDER_USER_ID_SECRET: use at least 32 characters/,
    );
    expect(parseConfig(production).chat.providerUserIdSecret).toBe('p'.repeat(32));
    expect(parseConfig(base).chat.providerUserIdSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('turns docs off in production unless asked', () => {
    expect(parseConfig(production).docsEnabled).toBe(false);
    expect(parseConfig({ ...production, DOCS_ENABLED: 'true' }).docsEnabled).toBe(true);
  });

  it('needs a TOTP sealing key, a sender and a public app URL in production; defaults elsewhere', () => {
    const { MFA_ENCRYPTION_KEYS: _k, ...noKey } = production;
    expect(() => parseConfig(noKey)).toThrow(/MFA_ENCRYPTION_KEYS/);
    const { MAIL_FROM: _f, ...noFrom } = production;
    expect(() => parseConfig(noFrom)).toThrow(/MAIL_FROM/);
    expect(() => parseConfig({ ...production, PUBLIC_APP_URL: 'http://a.test' })).toThrow(/PUBLIC_APP_URL.*https/);
    expect(() => parseConfig({ ...production, MAIL_BACKEND: 'outbox' })).toThrow(/MAIL_BACKEND/);
    expect(() => parseConfig({ ...base, MFA_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' })).toThrow(/32-byte/);
    const prod = parseConfig(production);
    expect(prod.mail.backend).toBe('cloudflare');
    expect([...prod.auth.mfaRequiredRoles].sort()).toEqual(['admin', 'moderator']);
    const dev = parseConfig(base);
    expect(dev.mail.backend).toBe('outbox');
    expect(dev.auth.mfaRequiredRoles.size).toBe(0);
    expect(dev.auth.mfaKeys).toBeUndefined();
    expect([...parseConfig({ ...production, MFA_REQUIRED_ROLES: 'admin' }).auth.mfaRequiredRoles]).toEqual(['admin']);
    expect(() => parseConfig({ ...base, MFA_REQUIRED_ROLES: 'admin,boss' })).toThrow(/MFA_REQUIRED_ROLES/);
  });
});
