/**
 * A tiny element builder. Text always goes in through text nodes, never as markup, so nothing
 * the API or the model returns can become HTML; there is deliberately no way to set innerHTML.
 */
export type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined;
/** Attributes, plus `on<event>` listeners (e.g. `onclick`). */
type Attrs = Record<string, AttrValue | ((event: never) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value as EventListener);
    } else if (name === 'style') {
      // Inline styles would need 'unsafe-inline' in the page CSP: use classes.
      throw new Error('inline styles are not allowed');
    } else {
      setAttr(el, name, value as AttrValue);
    }
  }
  append(el, ...children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The SVG twin of `h`, for the stats chart. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, AttrValue> = {},
  ...children: Child[]
) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) setAttr(el, name, value);
  append(el, ...children);
  return el;
}

function setAttr(el: Element, name: string, value: AttrValue): void {
  if (value === false || value === null || value === undefined) return;
  el.setAttribute(name, value === true ? '' : String(value));
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent` (no innerHTML, not even to clear). */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

let idCounter = 0;
/** Unique ids for label/aria wiring. */
export const uid = (prefix: string) => `${prefix}-${++idCounter}`;

/** Dates from the API are ISO strings; show them in the reader's locale. */
export function formatDate(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? '—'
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
