import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http';

describe('web client assets', () => {
  it('serves the page under the strict page CSP, loading only same-origin files', async () => {
    const res = await call('/');
    expect(res.status).toBe(200);
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/app/app.js"></script>');
    // No inline script or style would run under that CSP anyway; keep the page free of them.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });

  it('serves the bundle built by npm test, where HTML reaches the page only through DOMPurify', async () => {
    const res = await call('/app/app.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('javascript');
    const js = await res.text();
    // Answers are Markdown rendered to HTML and sanitized by DOMPurify, which parses it and hands back
    // nodes (RETURN_DOM_FRAGMENT); our own code writes no HTML. The bundle's libraries mention innerHTML
    // and friends, so this cannot be read off the bundle: the browser suite feeds hostile Markdown
    // through the whole path and checks that nothing runs (test/e2e/run.mjs).
    expect(js).toContain('RETURN_DOM_FRAGMENT');
    expect((await call('/app/app.css')).status).toBe(200);
  });
});
