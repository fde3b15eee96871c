import { describe, expect, it } from 'vitest';
import { makePdf } from '../../../scripts/lib/make-pdf.mjs';
import { ExtractionRefused } from '../../../src/modules/documents/extractor.types';
import { pdfExtractor } from '../../../src/modules/documents/pdf.extractor';
import { csvExtractor, markdownExtractor, plainTextExtractor } from '../../../src/modules/documents/text.extractor';
import { documentExtractorContract } from '../../contract/document-extractor.contract';

const utf8 = (text: string) => new TextEncoder().encode(text);
const garbage = new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81]);

documentExtractorContract(
  'pdf (unpdf)',
  pdfExtractor,
  'pdf',
  (sections) => makePdf({ pages: sections.map((s) => [s.heading, ...s.lines]) }),
  { garbage },
);
documentExtractorContract(
  'markdown',
  markdownExtractor,
  'markdown',
  (sections) => utf8(sections.map((s) => `# ${s.heading}\n\n${s.lines.join('\n')}\n`).join('\n')),
  { garbage },
);
documentExtractorContract(
  'plain text',
  plainTextExtractor,
  'text',
  (sections) => utf8(sections.map((s) => `${s.heading}\n\n${s.lines.join('\n')}`).join('\n\n')),
  { garbage },
);
documentExtractorContract(
  'csv',
  csvExtractor,
  'csv',
  (sections) => utf8(['topic,text', ...sections.flatMap((s) => s.lines.map((l) => `${s.heading},"${l}"`))].join('\n')),
  { garbage },
);

describe('pdf extractor limits', () => {
  it('refuses a PDF with more pages than DOCUMENT_MAX_PAGES before reading them', async () => {
    const pdf = makePdf({ pages: Array.from({ length: 6 }, (_, i) => [`Page ${i}`]) });
    const refusal = await pdfExtractor.extract(pdf, { maxPages: 5, maxTextChars: 100_000 }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ExtractionRefused);
    expect((refusal as ExtractionRefused).reason).toBe('The PDF has 6 pages; at most 5 are accepted.');
  });

  it('finds a script on the parsed document (the second line of defence behind the upload scan)', async () => {
    const pdf = makePdf({ pages: [['Hello']], javascript: 'app.alert(1)' });
    const refusal = await pdfExtractor.extract(pdf, { maxPages: 5, maxTextChars: 100_000 }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ExtractionRefused);
    expect((refusal as ExtractionRefused).reason).toMatch(/scripts/);
  });

  it('names each PDF section by its page', async () => {
    const pdf = makePdf({ pages: [['One'], ['Two']] });
    const { sections, pageCount } = await pdfExtractor.extract(pdf, { maxPages: 5, maxTextChars: 1000 });
    expect(pageCount).toBe(2);
    expect(sections.map((s) => s.heading)).toEqual(['Page 1', 'Page 2']);
  });
});

describe('markdown and csv sections', () => {
  it('keeps the heading path of nested Markdown headings', async () => {
    const md = '# Returns\n\nIntro.\n\n## Damaged items\n\nPhotograph them.\n\n# Delivery\n\nDaily.\n';
    const { sections } = await markdownExtractor.extract(utf8(md), { maxPages: 1, maxTextChars: 1000 });
    expect(sections).toEqual([
      { heading: 'Returns', text: 'Intro.' },
      { heading: 'Returns › Damaged items', text: 'Photograph them.' },
      { heading: 'Delivery', text: 'Daily.' },
    ]);
  });

  it('repeats the CSV header in every group of rows', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `item${i},${i}`);
    const { sections } = await csvExtractor.extract(utf8(['name,price', ...rows].join('\n')), {
      maxPages: 1,
      maxTextChars: 10_000,
    });
    expect(sections.map((s) => s.heading)).toEqual(['Rows 2–26', 'Rows 27–31']);
    expect(sections.every((s) => s.text.startsWith('name,price\n'))).toBe(true);
  });
});
