import { Marked, type Tokens } from 'marked';

/**
 * The model writes Markdown; this turns it into HTML that can hold no script. Three layers, each
 * enough on its own for its part: raw HTML in the Markdown is rendered as text (never parsed as HTML),
 * images become their alt text (the model never makes the browser fetch anything), and links keep only
 * http(s)/mailto targets with rel="noopener noreferrer nofollow". The result still goes through
 * DOMPurify (sanitize.ts) before it meets the DOM. Free of DOM types so it runs in the unit tests.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);

/** Only web and mail links; everything else (javascript:, data:, vbscript:, relative paths) is dropped. */
export function safeHref(href: string): string | undefined {
  const trimmed = href.trim();
  try {
    const url = new URL(trimmed);
    return url.protocol === 'https:' || url.protocol === 'http:' || url.protocol === 'mailto:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    image({ text }: Tokens.Image) {
      return escapeHtml(text);
    },
    link(this: { parser: { parseInline: (tokens: Tokens.Generic[]) => string } }, { href, tokens }: Tokens.Link) {
      const inner = this.parser.parseInline(tokens);
      const target = safeHref(href);
      if (!target) return inner;
      return `<a href="${escapeHtml(target)}" rel="noopener noreferrer nofollow" target="_blank">${inner}</a>`;
    },
  },
});

/** Markdown to HTML with raw HTML, images and unsafe links neutralised (sanitize before inserting). */
export function markdownToHtml(markdown: string): string {
  return marked.parse(markdown, { async: false });
}
