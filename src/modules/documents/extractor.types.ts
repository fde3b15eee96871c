import type { DocumentKind } from '../../db/schema';

/** The work one document may cost: past either cap it is marked failed, with the reason. */
export type ExtractLimits = { maxPages: number; maxTextChars: number };

/** A run of text under one heading ("Returns › Damaged items", "Page 3"); null when there is none. */
export type ExtractedSection = { heading: string | null; text: string };

export type Extraction = { pageCount: number | null; sections: ExtractedSection[] };

/**
 * A pluggable text extractor (test/contract/document-extractor.contract.ts is what each must pass).
 * It throws `ExtractionRefused` for a document it will never read (too many pages, too much text,
 * scripts, a damaged file): the document fails at once, without retries. Anything else it throws is
 * taken as transient and retried.
 */
export type DocumentExtractor = {
  kinds: readonly DocumentKind[];
  extract(bytes: Uint8Array, limits: ExtractLimits): Promise<Extraction>;
};

export class ExtractionRefused extends Error {
  override name = 'ExtractionRefused';
  /** Shown to editors in the document list: no internals, no file content. */
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Counts extracted characters against the cap as sections come in. */
export function textBudget(limits: ExtractLimits) {
  let used = 0;
  return (text: string) => {
    used += text.length;
    if (used > limits.maxTextChars) {
      throw new ExtractionRefused(`The document has more than ${limits.maxTextChars} characters of text.`);
    }
  };
}
