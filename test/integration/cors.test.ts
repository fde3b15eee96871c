import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http';

const LISTED = 'http://localhost:8787';

describe('CORS', () => {
  it('grants a listed origin, with credentials and Vary: Origin', async () => {
    const res = await call('/api/v1/health', { headers: { Origin: LISTED } });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(LISTED);
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBe('true');
    expect(res.headers.get('Vary')).toContain('Origin');
    expect(res.headers.get('Access-Control-Expose-Headers')).toContain('X-Request-ID');
  });

  it('never reflects an unlisted origin and grants it no credentials', async () => {
    const res = await call('/api/v1/health', { headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    expect(res.headers.get('Vary')).toContain('Origin');
  });

  it('refuses the null origin', async () => {
    const res = await call('/api/v1/health', { headers: { Origin: 'null' } });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
  });

  it('answers a preflight from a listed origin with the allowed methods and headers', async () => {
    const res = await call('/api/v1/auth/login', {
      method: 'OPTIONS',
      headers: {
        Origin: LISTED,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(LISTED);
    expect(res.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    expect(res.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('content-type');
    expect(res.headers.get('Access-Control-Max-Age')).toBe('600');
  });

  it('grants nothing to a preflight from an unlisted origin', async () => {
    const res = await call('/api/v1/auth/login', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(res.headers.get('Access-Control-Allow-Methods')).toBeNull();
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
  });
});
