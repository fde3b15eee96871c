import type { ExtractedSection } from './extractor.types';

export type Chunk = { position: number; section: string | null; content: string };

/**
 * About 300 tokens of English: small enough that three chunks and a few FAQ entries fit the prompt's
 * reference budget, large enough to hold a whole answer (a policy paragraph, a table's rows).
 */
export const CHUNK_CHARS = 1200;

/**
 * Splits sections into chunks that never cross a heading: at paragraph breaks where possible, then
 * at sentence ends, then at spaces, and only as a last resort inside a word. Each chunk keeps its
 * section's heading.
 */
export function chunkSections(sections: readonly ExtractedSection[], max = CHUNK_CHARS): Chunk[] {
  const chunks: Chunk[] = [];
  for (const { heading, text } of sections) {
    for (const content of splitText(text, max)) chunks.push({ position: chunks.length, section: heading, content });
  }
  return chunks;
}

function splitText(text: string, max: number): string[] {
  const pieces = text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .flatMap((p) => (p.length <= max ? [p] : splitLong(p, max)));
  const out: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current && current.length + 2 + piece.length > max) {
      out.push(current);
      current = piece;
    } else {
      current = current ? `${current}\n\n${piece}` : piece;
    }
  }
  if (current) out.push(current);
  return out;
}

/** A paragraph longer than a chunk: cut at the last sentence end, else space, before the limit. */
function splitLong(paragraph: string, max: number): string[] {
  const out: string[] = [];
  let rest = paragraph;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const sentence = Math.max(
      window.lastIndexOf('. '),
      window.lastIndexOf('! '),
      window.lastIndexOf('? '),
      window.lastIndexOf('\n'),
    );
    const space = window.lastIndexOf(' ');
    const cut = sentence > max / 2 ? sentence + 1 : space > max / 2 ? space : max;
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) out.push(rest);
  return out;
}
