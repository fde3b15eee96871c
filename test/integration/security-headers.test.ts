import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http';

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

const cases: [string, () => Promise<Response>][] = [
  ['a successful API response', () => call('/api/v1/health')],
  ['a 404 error', () => call('/api/v1/nope')],
  ['a 405 error', () => call('/api/v1/health', { method: 'DELETE' })],
];

describe('security headers', () => {
  for (const [name, send] of cases) {
    it(`are all set on ${name}`, async () => {
      const res = await send();
      expect(res.headers.get('Content-Security-Policy')).toBe(API_CSP);
      expect(res.headers.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(res.headers.get('X-Frame-Options')).toBe('DENY');
      expect(res.headers.get('Referrer-Policy')).toBe('no-referrer');
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      const permissions = res.headers.get('Permissions-Policy') ?? '';
      for (const feature of ['camera=()', 'microphone=()', 'geolocation=()', 'payment=()', 'usb=()']) {
        expect(permissions).toContain(feature);
      }
      expect(permissions).not.toMatch(/=\*|=\(self|=\("/);
      expect(res.headers.get('X-Powered-By')).toBeNull();
      expect(res.headers.get('Server')).toBeNull();
    });
  }

  it('gives /docs its own CSP with a fresh nonce for its start-up script only', async () => {
    const first = await call('/docs');
    const second = await call('/docs');
    const csp = first.headers.get('Content-Security-Policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await first.text()).toContain(`<script nonce="${nonce}">`);
    expect(second.headers.get('Content-Security-Policy')).not.toBe(csp);
  });
});
