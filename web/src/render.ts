import { h } from './dom';
import { type Inline, parseBlocks } from './format';

/** Formatted answer text as DOM nodes, built only from text nodes (see format.ts). */
export function renderText(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of parseBlocks(text)) {
    if (block.kind === 'pre') {
      fragment.append(h('pre', {}, h('code', {}, block.text)));
    } else if (block.kind === 'list') {
      const list = h(block.ordered ? 'ol' : 'ul');
      for (const item of block.items) list.append(h('li', {}, ...inlines(item)));
      fragment.append(list);
    } else {
      const p = h('p');
      block.lines.forEach((line, i) => {
        if (i > 0) p.append(h('br'));
        p.append(...inlines(line));
      });
      fragment.append(p);
    }
  }
  return fragment;
}

function inlines(parts: Inline[]): Node[] {
  return parts.map((part) =>
    part.kind === 'bold'
      ? h('strong', {}, part.text)
      : part.kind === 'code'
        ? h('code', {}, part.text)
        : document.createTextNode(part.text),
  );
}
