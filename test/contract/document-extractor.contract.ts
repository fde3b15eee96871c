import { describe, expect, it } from 'vitest';
import type { DocumentKind } from '../../src/db/schema';
import { type DocumentExtractor, ExtractionRefused } from '../../src/modules/documents/extractor.types';

/** How a test makes a file of the extractor's kind holding the given sections of text. */
export type SampleMaker = (sections: { heading: string; lines: string[] }[]) => Uint8Array;

const limits = { maxPages: 50, maxTextChars: 100_000 };

/**
 * What every document extractor must do, written once: each backend's test calls this with a way to
 * make files of its kind. A backend that passes can be swapped in without the queue consumer noticing.
 */
export function documentExtractorContract(
  name: string,
  extractor: DocumentExtractor,
  kind: DocumentKind,
  make: SampleMaker,
  extras: { garbage: Uint8Array },
): void {
  describe(`DocumentExtractor contract: ${name}`, () => {
    it('declares the kind it reads', () => {
      expect(extractor.kinds).toContain(kind);
    });

    it('returns all the text, in order, in sections with headings', async () => {
      const file = make([
        { heading: 'Delivery', lines: ['We deliver from seven until ten.'] },
        { heading: 'Refunds', lines: ['Refunds arrive within five days.'] },
      ]);
      const { sections } = await extractor.extract(file, limits);
      const text = sections.map((s) => s.text).join('\n');
      expect(text).toContain('We deliver from seven until ten.');
      expect(text.indexOf('seven')).toBeLessThan(text.indexOf('five days'));
      expect(sections.every((s) => s.heading === null || typeof s.heading === 'string')).toBe(true);
      expect(sections.some((s) => s.heading !== null)).toBe(true);
    });

    it('refuses, with a reason, more text than the cap allows', async () => {
      const long = Array.from({ length: 40 }, (_, i) => `Line ${i} of a long document about baskets.`);
      const file = make([{ heading: 'Long', lines: long }]);
      const refusal = await extractor.extract(file, { maxPages: 50, maxTextChars: 200 }).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(ExtractionRefused);
      expect((refusal as ExtractionRefused).reason).toMatch(/200 characters/);
    });

    it('refuses a file it cannot read as ExtractionRefused, never a raw error', async () => {
      const refusal = await extractor.extract(extras.garbage, limits).then(
        () => undefined,
        (e: unknown) => e,
      );
      // Text formats may read garbage as text; what they may not do is throw something else.
      if (refusal !== undefined) expect(refusal).toBeInstanceOf(ExtractionRefused);
    });

    it('does not keep the bytes it was given (each call stands alone)', async () => {
      const file = make([{ heading: 'A', lines: ['Alpha text.'] }]);
      const first = await extractor.extract(file, limits);
      const second = await extractor.extract(file, limits);
      expect(second).toEqual(first);
    });
  });
}
