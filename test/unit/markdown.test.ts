import { describe, expect, it } from 'vitest';
import { markdownToHtml, safeHref } from '../../web/src/markdown';

/**
 * The first layer of the answer renderer, without a DOM: the browser test (test/e2e) feeds the same
 * hostile Markdown through the whole renderer, DOMPurify included, and checks nothing runs.
 */
describe('markdown answers', () => {
  it('formats what the model writes', () => {
    const html = markdownToHtml(
      '**Delivery** hours:\n\n- Mon–Fri `8–20`\n- Sat 9–14\n\n[Track it](https://shop.example/track)',
    );
    expect(html).toContain('<strong>Delivery</strong>');
    expect(html).toContain('<li>Mon–Fri <code>8–20</code></li>');
    expect(html).toContain(
      '<a href="https://shop.example/track" rel="noopener noreferrer nofollow" target="_blank">Track it</a>',
    );
  });

  it('shows raw HTML as text, never as markup', () => {
    const html = markdownToHtml(
      'Hi <script>alert(1)</script> and <img src=x onerror=alert(2)>\n\n<div onclick="x()">block</div>',
    );
    expect(html).not.toMatch(/<script|<img|<div/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });

  it('keeps only http(s) and mailto links, each with rel="noopener noreferrer nofollow"', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      '/relative',
    ]) {
      const html = markdownToHtml(`[click](${href})`);
      expect(html, href).not.toContain('<a');
      expect(html, href).toContain('click');
    }
    expect(markdownToHtml('[mail](mailto:help@shop.example)')).toContain('href="mailto:help@shop.example"');
    expect(safeHref('  https://a.example/x?y=1 ')).toBe('https://a.example/x?y=1');
    expect(safeHref('java\tscript:alert(1)')).toBeUndefined();
  });

  it('turns images into their alt text: the model never makes the browser fetch anything', () => {
    const html = markdownToHtml('![a cat](https://tracker.example/pixel.gif) ![x" onerror="alert(1)](y)');
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('a cat');
    expect(html).not.toContain('tracker.example');
  });

  it('leaves entities as text and escapes quotes in link targets', () => {
    const html = markdownToHtml('&lt;script&gt; &#x3C;img&#x3E; [q](https://a.example/"onmouseover="alert(1))');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).not.toMatch(/"\s*onmouseover=/);
  });
});
