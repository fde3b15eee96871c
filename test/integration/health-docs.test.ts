import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json';
import { createApp } from '../../src/app';
import { call, ORIGIN } from '../helpers/http';

function callWith(overrides: Record<string, string | undefined>, path: string) {
  const patched: Record<string, unknown> = { ...env, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete patched[key];
  return createApp().fetch(new Request(`${ORIGIN}${path}`), patched, createExecutionContext());
}

const production = {
  ENVIRONMENT: 'production',
  CORS_ORIGINS: 'https://support.example.com',
  DEEPSEEK_API_KEY: 'sk-test',
  MAIL_FROM: 'no-reply@support.example.com',
  PUBLIC_APP_URL: 'https://support.example.com',
  TURNSTILE_SITE_KEY: '0x4AAAAAAA-real-site-key',
  TURNSTILE_SECRET_KEY: '0x4AAAAAAA-real-secret-key',
  TURNSTILE_VERIFY_URL: undefined,
  TURNSTILE_SCRIPT_URL: undefined,
  DOCS_ENABLED: undefined,
};

describe('health', () => {
  it('reports ok and the package version', async () => {
    const res = await call('/api/v1/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: pkg.version });
  });
});

describe('API docs', () => {
  it('serves an OpenAPI 3.1 document with the bearer scheme in development', async () => {
    const res = await call('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, { scheme: string }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/health']).toBeDefined();
    expect(doc.components.securitySchemes.bearerAuth?.scheme).toBe('bearer');
  });

  it('serves Swagger UI from our own assets, not a CDN', async () => {
    const res = await call('/docs');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('/vendor/swagger-ui-dist/swagger-ui-bundle.js');
    expect(page).not.toMatch(/https?:\/\//);
    const bundle = await call('/vendor/swagger-ui-dist/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('X-Request-ID')).toBeTruthy();
  });

  it('is off in production', async () => {
    expect((await callWith(production, '/docs')).status).toBe(404);
    expect((await callWith(production, '/openapi.json')).status).toBe(404);
  });

  it('can be switched on in production with DOCS_ENABLED=true', async () => {
    expect((await callWith({ ...production, DOCS_ENABLED: 'true' }, '/openapi.json')).status).toBe(200);
  });
});
