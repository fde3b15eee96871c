import DOMPurify from 'dompurify';
import { markdownToHtml } from './markdown';

/** What formatted answers may contain: text structure and links, nothing that loads or runs. */
const ALLOWED_TAGS = [
  'p',
  'br',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
];

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A') {
    node.setAttribute('rel', 'noopener noreferrer nofollow');
    node.setAttribute('target', '_blank');
  }
});

const OPTIONS = {
  ALLOWED_TAGS,
  ALLOWED_ATTR: ['href', 'rel', 'target'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
};

/** The second layer: whatever the Markdown renderer let through, only these tags and link targets survive. */
export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, OPTIONS);
}

/**
 * A formatted answer as DOM nodes: parsed Markdown, then sanitized by DOMPurify, which hands back the
 * nodes itself (RETURN_DOM_FRAGMENT): our code never assigns HTML to the page.
 */
export function renderMarkdown(markdown: string): DocumentFragment {
  return DOMPurify.sanitize(markdownToHtml(markdown), { ...OPTIONS, RETURN_DOM_FRAGMENT: true });
}
