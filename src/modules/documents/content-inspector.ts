import type { DocumentKind } from '../../db/schema';
import { AppError } from '../../lib/errors';
import { typeMismatch } from './file-policy';

/**
 * Checks a file's bytes as they stream in, so a bad file is refused before it is stored. Each check
 * keeps a small bounded state across chunks; nothing here holds the file.
 */
export type ContentInspector = { push(chunk: Uint8Array): void; finish(): void };

export function inspectorFor(kind: DocumentKind): ContentInspector {
  return kind === 'pdf' ? pdfInspector() : textInspector();
}

/**
 * PDF names that make a document act rather than be read: scripts, launching programs, embedded
 * files and forms that post data. A knowledge document needs none of them; a PDF with any is refused
 * (text about JavaScript is unaffected: it sits inside strings, not names, in any ordinary PDF).
 */
const ACTIVE_NAMES = new Set([
  'JavaScript',
  'JS',
  'Launch',
  'EmbeddedFile',
  'EmbeddedFiles',
  'RichMedia',
  'XFA',
  'SubmitForm',
  'ImportData',
  'GoToE',
]);

/** Markup that turns a PDF into a PDF-and-web-page polyglot when a browser sniffs it. */
const MARKUP = ['<script', '<html', '<!doctype', '<svg', '<iframe'].map((tag) => new TextEncoder().encode(tag));

const PDF_HEADER = new TextEncoder().encode('%PDF-');
const EOF_MARK = new TextEncoder().encode('%%EOF');
const TAIL_BYTES = 1024;

// PDF delimiters and white space end a name (ISO 32000-1, 7.2.2).
const isNameEnd = (b: number) =>
  b === 0x20 ||
  b === 0x0a ||
  b === 0x0d ||
  b === 0x09 ||
  b === 0x0c ||
  b === 0x00 ||
  b === 0x2f ||
  b === 0x28 ||
  b === 0x29 ||
  b === 0x3c ||
  b === 0x3e ||
  b === 0x5b ||
  b === 0x5d ||
  b === 0x7b ||
  b === 0x7d ||
  b === 0x25;

const activeContent = () =>
  new AppError(
    422,
    'UNSAFE_PDF',
    'This PDF contains scripts, embedded files or actions. Export it again as a plain PDF and upload that.',
  );

const polyglot = (message: string) => new AppError(422, 'POLYGLOT_FILE', message);

function pdfInspector(): ContentInspector {
  let seen = 0;
  const head = new Uint8Array(PDF_HEADER.length);
  let name: number[] | undefined;
  let tail = new Uint8Array(0);
  let markupCarry = new Uint8Array(0);

  const endName = () => {
    if (name === undefined) return;
    // Names may spell characters as #xx: "/J#61vaScript" is "/JavaScript".
    const text = String.fromCharCode(...name).replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    name = undefined;
    if (ACTIVE_NAMES.has(text)) throw activeContent();
  };

  const scanMarkup = (chunk: Uint8Array) => {
    const window = new Uint8Array(markupCarry.length + chunk.length);
    window.set(markupCarry);
    window.set(chunk, markupCarry.length);
    for (let i = window.indexOf(0x3c); i !== -1; i = window.indexOf(0x3c, i + 1)) {
      for (const tag of MARKUP) {
        if (i + tag.length > window.length) continue;
        let j = 1;
        while (j < tag.length && ((window[i + j] as number) | 0x20) === tag[j]) j++;
        if (j === tag.length) throw polyglot('This PDF also contains web-page markup. Upload a plain PDF.');
      }
    }
    markupCarry = window.slice(Math.max(0, window.length - 16));
  };

  return {
    push(chunk) {
      for (let i = 0; i < chunk.length && seen + i < head.length; i++) head[seen + i] = chunk[i] as number;
      seen += chunk.length;
      if (seen >= head.length && !head.every((b, i) => b === PDF_HEADER[i])) {
        throw typeMismatch('This file is not a PDF: it does not start with a PDF header.');
      }
      for (const b of chunk) {
        if (name !== undefined) {
          if (isNameEnd(b)) endName();
          else if (name.length < 128) name.push(b);
        }
        if (b === 0x2f) name = [];
      }
      scanMarkup(chunk);
      const joined = new Uint8Array(tail.length + chunk.length);
      joined.set(tail);
      joined.set(chunk, tail.length);
      tail = joined.slice(Math.max(0, joined.length - TAIL_BYTES));
    },
    finish() {
      endName();
      if (seen < head.length) throw typeMismatch('This file is not a PDF: it is too short to be one.');
      // Anything after the last end-of-file marker (an appended ZIP, a script) is another file riding along.
      let last = -1;
      for (let i = tail.length - EOF_MARK.length; i >= 0; i--) {
        if (EOF_MARK.every((b, j) => tail[i + j] === b)) {
          last = i;
          break;
        }
      }
      if (last === -1) throw polyglot('This PDF has data after its end or no end marker. Upload a plain PDF.');
      const rest = tail.subarray(last + EOF_MARK.length);
      if (rest.length > 32 || !rest.every((b) => b === 0x0a || b === 0x0d || b === 0x20 || b === 0x09 || b === 0)) {
        throw polyglot('This PDF has data after its end. Upload a plain PDF.');
      }
    },
  };
}

/** Signatures of other formats that happen to be valid text: such a file is two files at once. */
const TEXT_LOOKALIKES = ['%pdf-', '<?xml', '<!doctype html', '<html', '<svg', '{\\rtf'];

/** C0 controls other than tab, line feed, form feed and carriage return, and DEL (C1 is valid text). */
const hasBinary = (text: string) => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
};

function textInspector(): ContentInspector {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let start = '';
  const check = (text: string) => {
    // Tabs, line breaks and form feeds are text; any other control character means binary data.
    if (hasBinary(text)) {
      throw typeMismatch('This file is not plain text: it contains binary data.');
    }
    if (start.length < 64) {
      start = (start + text).slice(0, 64);
      const lower = start.trimStart().toLowerCase();
      if (TEXT_LOOKALIKES.some((sig) => lower.startsWith(sig))) {
        throw polyglot('This text file is also another kind of file (PDF, XML, HTML or RTF).');
      }
    }
  };
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw typeMismatch('This file is not UTF-8 text.');
    }
  };
  return {
    push(chunk) {
      check(decode(chunk));
    },
    finish() {
      check(decode());
    },
  };
}
