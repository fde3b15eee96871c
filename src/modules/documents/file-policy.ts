import type { DocumentKind } from '../../db/schema';
import { AppError } from '../../lib/errors';

/**
 * Which files become documents. A file is accepted only when its extension, the type the client
 * declared and its own bytes all say the same thing; the name is metadata only and must be plain.
 */

type KindRule = { kind: DocumentKind; types: readonly string[]; storedType: string };

const RULES: Readonly<Record<string, KindRule>> = {
  pdf: { kind: 'pdf', types: ['application/pdf'], storedType: 'application/pdf' },
  txt: { kind: 'text', types: ['text/plain'], storedType: 'text/plain; charset=utf-8' },
  md: {
    kind: 'markdown',
    types: ['text/markdown', 'text/x-markdown', 'text/plain'],
    storedType: 'text/markdown; charset=utf-8',
  },
  markdown: {
    kind: 'markdown',
    types: ['text/markdown', 'text/x-markdown', 'text/plain'],
    storedType: 'text/markdown; charset=utf-8',
  },
  // Windows browsers announce .csv as Excel's type; the bytes still have to be UTF-8 text.
  csv: {
    kind: 'csv',
    types: ['text/csv', 'application/csv', 'application/vnd.ms-excel', 'text/plain'],
    storedType: 'text/csv; charset=utf-8',
  },
};

export const ACCEPTED_EXTENSIONS = Object.keys(RULES).map((ext) => `.${ext}`);

export type AcceptedFile = { name: string; kind: DocumentKind; storedType: string };

const MAX_NAME_CHARS = 200;

const badName = (message: string) => new AppError(400, 'INVALID_FILE_NAME', message);

/**
 * The name as it will be shown: NFC, trimmed, at most 200 characters. Names that try to be paths
 * (separators, `..`) or hide characters (controls, bidirectional overrides, zero-width marks) are
 * refused outright rather than cleaned: a name that needed cleaning was sent to trick someone.
 */
export function sanitizeFileName(raw: string): string {
  const name = raw.normalize('NFC').trim();
  if (name.length === 0) throw badName('The file needs a name.');
  if ([...name].length > MAX_NAME_CHARS) throw badName(`File names are at most ${MAX_NAME_CHARS} characters.`);
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name)) {
    throw badName('File names cannot contain control or invisible formatting characters.');
  }
  if (/[/\\]/.test(name) || name.includes('..')) {
    throw badName('File names cannot contain path separators or "..".');
  }
  if (name.startsWith('.')) throw badName('File names cannot start with a dot.');
  return name;
}

/** Checks the name and the declared type against the extension; says how the file will be stored. */
export function acceptFile(rawName: string, declaredType: string): AcceptedFile {
  const name = sanitizeFileName(rawName);
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(name)?.[1]?.toLowerCase();
  if (ext === 'docx') {
    throw new AppError(
      415,
      'DOCX_NOT_SUPPORTED',
      'Word documents are not accepted yet. Save the file as PDF or Markdown and upload that.',
    );
  }
  const rule = ext ? RULES[ext] : undefined;
  if (!rule) {
    throw new AppError(415, 'UNSUPPORTED_FILE_TYPE', `Upload one of: ${ACCEPTED_EXTENSIONS.join(', ')}.`);
  }
  if (!rule.types.includes(declaredType)) {
    throw typeMismatch(`A .${ext} file must be sent as ${rule.types[0]}, not ${declaredType || 'no type'}.`);
  }
  return { name, kind: rule.kind, storedType: rule.storedType };
}

export const typeMismatch = (message: string) => new AppError(415, 'FILE_TYPE_MISMATCH', message);
