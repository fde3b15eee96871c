/**
 * The answer formatting we support — paragraphs, line breaks, **bold**, `code` and bullet or
 * numbered lists — parsed into plain data. Rendering (render.ts) turns this into DOM nodes with
 * textContent, so model output can never be interpreted as HTML: `<b>` stays the text "<b>".
 * Kept free of DOM types so the unit tests can run it anywhere.
 */
export type Inline = { kind: 'text' | 'bold' | 'code'; text: string };
export type Block =
  | { kind: 'paragraph'; lines: Inline[][] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'pre'; text: string };

const BULLET = /^\s{0,3}[-*•]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,3}[.)]\s+(.*)$/;
const FENCE = /^\s{0,3}```/;

export function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: Inline[][] = [];
  let list: { ordered: boolean; items: Inline[][] } | null = null;
  let fence: string[] | null = null;

  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', lines: paragraph });
    if (list) blocks.push({ kind: 'list', ...list });
    paragraph = [];
    list = null;
  };

  for (const line of lines) {
    if (fence) {
      if (FENCE.test(line)) {
        blocks.push({ kind: 'pre', text: fence.join('\n') });
        fence = null;
      } else fence.push(line);
      continue;
    }
    if (FENCE.test(line)) {
      flush();
      fence = [];
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const item = bullet ?? numbered;
    if (item) {
      const ordered = numbered !== null;
      if (paragraph.length || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push(parseInline(item[1] ?? ''));
      continue;
    }
    if (list) flush();
    paragraph.push(parseInline(line));
  }
  // An unclosed fence is still streaming in: show what has arrived.
  if (fence) {
    flush();
    blocks.push({ kind: 'pre', text: fence.join('\n') });
  }
  flush();
  return blocks;
}

/** `code` first (nothing is formatted inside it), then **bold** in the text between. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const parts = text.split(/(`[^`]+`)/);
  for (const part of parts) {
    if (part.length > 2 && part.startsWith('`') && part.endsWith('`')) {
      out.push({ kind: 'code', text: part.slice(1, -1) });
      continue;
    }
    const pieces = part.split(/\*\*([^*]+?)\*\*/);
    pieces.forEach((piece, i) => {
      if (piece) out.push({ kind: i % 2 === 1 ? 'bold' : 'text', text: piece });
    });
  }
  return out;
}
