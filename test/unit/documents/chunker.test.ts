import { describe, expect, it } from 'vitest';
import { CHUNK_CHARS, chunkSections } from '../../../src/modules/documents/chunker';

describe('chunkSections', () => {
  it('never crosses a heading and keeps each chunk within the size', () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence ${i} about the refund policy for baskets.`).join(' ');
    const chunks = chunkSections([
      { heading: 'Refunds', text: `${long}\n\n${long}` },
      { heading: 'Delivery', text: 'Short.' },
    ]);
    expect(chunks.every((c) => c.content.length <= CHUNK_CHARS)).toBe(true);
    expect(chunks.at(-1)).toEqual({ position: chunks.length - 1, section: 'Delivery', content: 'Short.' });
    expect(chunks.filter((c) => c.section === 'Refunds').length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.position)).toEqual(chunks.map((_, i) => i));
  });

  it('cuts long paragraphs at sentence ends, keeping every word', () => {
    const text = Array.from({ length: 100 }, (_, i) => `Word${i} ends here.`).join(' ');
    const chunks = chunkSections([{ heading: null, text }], 200);
    expect(chunks.every((c) => c.content.endsWith('.'))).toBe(true);
    expect(chunks.map((c) => c.content).join(' ')).toBe(text);
  });

  it('splits a run without spaces at the size limit rather than keep it whole', () => {
    const chunks = chunkSections([{ heading: null, text: 'x'.repeat(2500) }], 1000);
    expect(chunks.map((c) => c.content.length)).toEqual([1000, 1000, 500]);
  });
});
