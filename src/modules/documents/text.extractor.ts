import type { DocumentExtractor, ExtractedSection, ExtractLimits } from './extractor.types';
import { ExtractionRefused, textBudget } from './extractor.types';

/** Text formats are read natively: UTF-8 (checked at upload), line endings normalised. */
function decode(bytes: Uint8Array, limits: ExtractLimits): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ExtractionRefused('The file is not UTF-8 text.');
  }
  text = text.replace(/\r\n?/g, '\n');
  textBudget(limits)(text);
  return text;
}

/** A paragraph that is one short line without closing punctuation reads as a title: "Delivery hours". */
const looksLikeHeading = (paragraph: string) =>
  !paragraph.includes('\n') && paragraph.length <= 80 && !/[.,;:!?)]$/.test(paragraph);

/** Plain text: paragraphs, with a lone short title line opening a section. */
export const plainTextExtractor: DocumentExtractor = {
  kinds: ['text'],
  async extract(bytes, limits) {
    const paragraphs = decode(bytes, limits)
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter(Boolean);
    const sections: ExtractedSection[] = [];
    let heading: string | null = null;
    let body: string[] = [];
    const flush = () => {
      if (body.length > 0) sections.push({ heading, text: body.join('\n\n') });
      body = [];
    };
    paragraphs.forEach((paragraph, i) => {
      if (looksLikeHeading(paragraph) && i < paragraphs.length - 1) {
        flush();
        heading = paragraph;
      } else {
        body.push(paragraph);
      }
    });
    flush();
    return { pageCount: null, sections };
  },
};

/**
 * Markdown: each heading opens a section named by its path ("Returns › Damaged items"), so a chunk
 * found later still says where in the document it sits. ATX (`## x`) and setext (underlined) headings.
 */
export const markdownExtractor: DocumentExtractor = {
  kinds: ['markdown'],
  async extract(bytes, limits) {
    const lines = decode(bytes, limits).split('\n');
    const path: string[] = [];
    const sections: ExtractedSection[] = [];
    let body: string[] = [];
    let fenced = false;
    const startsBlock = (i: number) => i === 0 || (lines[i - 1] as string).trim() === '';
    const flush = () => {
      const text = body.join('\n').trim();
      if (text) sections.push({ heading: path.filter(Boolean).join(' › ') || null, text });
      body = [];
    };
    const open = (level: number, title: string) => {
      flush();
      path.length = level - 1;
      path[level - 1] = title.trim();
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (/^\s{0,3}(```|~~~)/.test(line)) fenced = !fenced;
      const atx = fenced ? null : /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
      const next = lines[i + 1];
      if (atx) {
        open((atx[1] as string).length, atx[2] as string);
      } else if (!fenced && line.trim() && next !== undefined && /^\s{0,3}(=+|-+)\s*$/.test(next) && startsBlock(i)) {
        open(next.trim().startsWith('=') ? 1 : 2, line);
        i++;
      } else {
        body.push(line);
      }
    }
    flush();
    return { pageCount: null, sections };
  },
};

/** One CSV record per entry, quotes honoured (a quoted field may hold commas and line breaks). */
function csvRecords(text: string): string[] {
  const records: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '\n' && !quoted) {
      records.push(text.slice(start, i));
      start = i + 1;
    }
  }
  records.push(text.slice(start));
  return records.filter((record) => record.trim() !== '');
}

/** Rows per section; the chunker splits further if rows are long. */
const CSV_ROWS_PER_SECTION = 25;

/**
 * CSV: the header row is the heading every group of rows keeps, so a chunk of prices still says which
 * column is which; sections are named by their row numbers (the header is row 1).
 */
export const csvExtractor: DocumentExtractor = {
  kinds: ['csv'],
  async extract(bytes, limits) {
    const [header, ...rows] = csvRecords(decode(bytes, limits));
    if (header === undefined) return { pageCount: null, sections: [] };
    if (rows.length === 0) return { pageCount: null, sections: [{ heading: 'Row 1', text: header }] };
    const sections: ExtractedSection[] = [];
    for (let i = 0; i < rows.length; i += CSV_ROWS_PER_SECTION) {
      const group = rows.slice(i, i + CSV_ROWS_PER_SECTION);
      sections.push({ heading: `Rows ${i + 2}–${i + 1 + group.length}`, text: [header, ...group].join('\n') });
    }
    return { pageCount: null, sections };
  },
};
