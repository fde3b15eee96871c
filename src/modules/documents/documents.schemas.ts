import { z } from '@hono/zod-openapi';
import { DOCUMENT_KINDS, DOCUMENT_STATUSES } from '../../db/schema';
import { IdParamSchema, pageOf, pageQuery } from '../../lib/common-schemas';

export const DocumentSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string().openapi({ description: 'The original file name, sanitized; metadata only.' }),
    kind: z.enum(DOCUMENT_KINDS),
    contentType: z.string().openapi({ description: 'The stored type the content is served with.' }),
    sizeBytes: z.number().int(),
    status: z.enum(DOCUMENT_STATUSES).openapi({ description: 'pending → ready | failed' }),
    failureReason: z.string().nullable(),
    published: z.boolean().openapi({ description: 'Only published, ready documents ground chat answers.' }),
    chunkCount: z.number().int(),
    pageCount: z.number().int().nullable(),
    citedCount: z.number().int().openapi({ description: 'Chat answers that cited this document.' }),
    uploadedBy: z.object({ id: z.string(), username: z.string() }).nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    processedAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('Document');

export const DocumentListSchema = pageOf(DocumentSchema, 'DocumentList');

export const ListDocumentsQuerySchema = z.object({ ...pageQuery(100) });

export const DocumentIdParamSchema = IdParamSchema('d0c00000-0000-4000-8000-000000000001');

export const UpdateDocumentSchema = z
  .object({
    published: z.boolean().optional(),
    name: z.string().max(400).optional().openapi({ description: 'Shown name; the same rules as upload names.' }),
  })
  .strict()
  .refine((body) => body.published !== undefined || body.name !== undefined, 'Send published or name.')
  .openapi('UpdateDocumentRequest');

/**
 * Documented, not validated by zod: the validator would buffer and parse the whole form, and the
 * upload must stream (see upload.service.ts).
 */
export const uploadBody = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object' as const,
        required: ['file'],
        properties: {
          file: {
            type: 'string' as const,
            format: 'binary',
            description:
              'One file: .pdf (application/pdf), .txt (text/plain), .md (text/markdown) or .csv (text/csv), UTF-8 for text. No other fields.',
          },
        },
      },
    },
  },
};
