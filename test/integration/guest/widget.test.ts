import { describe, expect, it } from 'vitest';
import { createSite } from '../../helpers/guest';
import { call, readError } from '../../helpers/http';

const HOST = 'http://127.0.0.1:9000';
const frame = (siteId: string, origin = HOST, dest: string | undefined = 'iframe') =>
  call(`/widget/frame?site=${siteId}&origin=${encodeURIComponent(origin)}`, {
    headers: dest ? { 'Sec-Fetch-Dest': dest } : {},
  });

async function gzipSize(body: ArrayBuffer | string): Promise<number> {
  const stream = new Response(body).body?.pipeThrough(new CompressionStream('gzip'));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

describe('widget frame', () => {
  it('is framable by the requesting origin alone when the site lists it, without X-Frame-Options', async () => {
    const { site } = await createSite({ allowedOrigins: [HOST, 'https://other.example'] });
    const res = await frame(site.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Frame-Options')).toBeNull();
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain(`frame-ancestors ${HOST};`);
    expect(csp).not.toContain('other.example');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/widget/frame.js"></script>');
    // The only inline script element is JSON data, which the CSP would never run anyway.
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toEqual([
      '<script type="application/json" id="widget-config">',
    ]);
    expect(html).toContain(`"hostOrigin":"${HOST}"`);
    expect(html).toContain('"canned":true');
  });

  it('gives no widget to an origin not on the list, nor to anything but an iframe', async () => {
    const { site } = await createSite();
    for (const [res, status, code] of [
      [await frame(site.id, 'http://127.0.0.1:9999'), 403, 'ORIGIN_NOT_ALLOWED'],
      [await frame(site.id, HOST, 'document'), 403, 'WIDGET_FRAME_ONLY'],
      [await frame(site.id, HOST, 'script'), 403, 'WIDGET_FRAME_ONLY'],
      [await frame(crypto.randomUUID()), 404, 'SITE_NOT_FOUND'],
      [await call('/widget/frame', { headers: { 'Sec-Fetch-Dest': 'iframe' } }), 404, 'SITE_NOT_FOUND'],
      [
        await call(`/widget/frame?site=${site.id}`, { headers: { 'Sec-Fetch-Dest': 'iframe' } }),
        403,
        'ORIGIN_NOT_ALLOWED',
      ],
      [await frame((await createSite({ guestChat: false })).site.id), 404, 'SITE_NOT_FOUND'],
    ] as const) {
      expect(res.status).toBe(status);
      expect(res.headers.get('X-Frame-Options')).toBe('DENY');
      expect(res.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
      expect((await readError(res)).code).toBe(code);
    }
  });

  it('leaves every other response unframable', async () => {
    for (const path of ['/', '/api/v1/health', '/widget.js', '/widget/frame.js']) {
      const res = await call(path);
      expect(res.headers.get('X-Frame-Options'), path).toBe('DENY');
      expect(res.headers.get('Content-Security-Policy'), path).toContain("frame-ancestors 'none'");
    }
  });

  it('keeps a hostile greeting inert inside the page’s JSON', async () => {
    const { site } = await createSite({ greeting: '</script><script>alert(1)</script><!--' });
    const html = await (await frame(site.id)).text();
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).not.toContain('<!--');
    expect(html).toContain('\\u003c/script\\u003e');
  });

  it('serves the loader cross-origin-loadable, and both parts within their size budgets', async () => {
    const loader = await call('/widget.js');
    expect(loader.status).toBe(200);
    expect(loader.headers.get('Cross-Origin-Resource-Policy')).toBe('cross-origin');
    expect(await gzipSize(await loader.arrayBuffer())).toBeLessThanOrEqual(5 * 1024);
    const { site } = await createSite();
    let framed = await gzipSize(await (await frame(site.id)).text());
    for (const asset of ['/widget/frame.js', '/widget/frame.css']) {
      const res = await call(asset);
      expect(res.status, asset).toBe(200);
      framed += await gzipSize(await res.arrayBuffer());
    }
    expect(framed).toBeLessThanOrEqual(40 * 1024);
  });
});
