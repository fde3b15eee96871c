import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';

const base = { ENVIRONMENT: 'development', CORS_ORIGINS: 'http://localhost:8787' };

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
    expect(() => parseConfig({ ENVIRONMENT: 'production', CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS.*production/);
  });

  it('turns docs off in production unless asked', () => {
    const prod = { ENVIRONMENT: 'production', CORS_ORIGINS: 'https://a.test' };
    expect(parseConfig(prod).docsEnabled).toBe(false);
    expect(parseConfig({ ...prod, DOCS_ENABLED: 'true' }).docsEnabled).toBe(true);
  });
});
