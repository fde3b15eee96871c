import { z } from 'zod';
import { int, parseSection } from '../../lib/config-schema';

const MIB = 1024 * 1024;

export const documentsEnvSchema = z.object({
  // Largest file accepted, counted while the upload streams (413 past it).
  DOCUMENT_MAX_BYTES: int(1024, 100 * MIB).default(10 * MIB),
  // Caps on the work one document may cost the queue consumer (local emulation enforces no CPU limit).
  DOCUMENT_MAX_PAGES: int(1, 10_000).default(500),
  DOCUMENT_MAX_TEXT_CHARS: int(1000, 20_000_000).default(4_000_000),
  // All stored documents together, in bytes.
  DOCUMENT_STORAGE_QUOTA_BYTES: int(MIB, 1024 * 1024 * MIB).default(1024 * MIB),
  // How long a chat turn waits for the document search once everything else it needs has answered.
  DOCUMENT_SEARCH_GRACE_MS: int(0, 5000).default(10),
});

export type DocumentsConfig = {
  maxBytes: number;
  maxPages: number;
  maxTextChars: number;
  storageQuotaBytes: number;
  /** Past this (after admission, history and FAQ are in), a turn answers without documents. */
  searchGraceMs: number;
};

export function parseDocumentsConfig(env: Record<string, unknown>): DocumentsConfig {
  const vars = parseSection(documentsEnvSchema, env);
  return {
    maxBytes: vars.DOCUMENT_MAX_BYTES,
    maxPages: vars.DOCUMENT_MAX_PAGES,
    maxTextChars: vars.DOCUMENT_MAX_TEXT_CHARS,
    storageQuotaBytes: vars.DOCUMENT_STORAGE_QUOTA_BYTES,
    searchGraceMs: vars.DOCUMENT_SEARCH_GRACE_MS,
  };
}
