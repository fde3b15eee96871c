import { createRoute, z } from '@hono/zod-openapi';
import { authErrors, bearerSecurity, errorResponse, jsonBody, jsonContent } from '../../lib/common-schemas';
import { guard } from '../auth/authenticate';
import {
  DocumentIdParamSchema,
  DocumentListSchema,
  DocumentSchema,
  ListDocumentsQuerySchema,
  UpdateDocumentSchema,
  uploadBody,
} from './documents.schemas';

const tags = ['Documents'];
const security = bearerSecurity;
const DocumentResponse = (description: string) => jsonContent(z.object({ document: DocumentSchema }), description);

const uploadErrors = {
  400: errorResponse('INVALID_UPLOAD (not exactly one "file" part), INVALID_FILE_NAME, EMPTY_FILE.'),
  413: errorResponse('DOCUMENT_TOO_LARGE (over DOCUMENT_MAX_BYTES), STORAGE_QUOTA_EXCEEDED.'),
  415: errorResponse(
    'UNSUPPORTED_MEDIA_TYPE (not multipart, or compressed), UNSUPPORTED_FILE_TYPE, DOCX_NOT_SUPPORTED, FILE_TYPE_MISMATCH (extension, declared type and content disagree).',
  ),
  422: errorResponse('UNSAFE_PDF (scripts, embedded files, launch actions), POLYGLOT_FILE (also another format).'),
  429: errorResponse('RATE_LIMITED (RATE_LIMIT_DOCUMENT_UPLOAD per uploader).'),
  ...authErrors,
};

const uploadNote =
  'multipart/form-data with one `file` field — the one exception to the JSON-only rule and to MAX_BODY_BYTES; ' +
  'the file is capped at DOCUMENT_MAX_BYTES while it streams. Accepted only when extension, declared type and ' +
  'content agree; stored under a random key. Processing runs on a queue: poll the document until `ready` or `failed`.';

export const uploadDocument = createRoute({
  method: 'post',
  path: '/api/v1/documents',
  tags,
  security,
  summary: 'Upload a knowledge document (moderator, admin)',
  description: `${uploadNote} Documents start unpublished.`,
  middleware: guard('content:write'),
  request: { body: uploadBody },
  responses: { 202: DocumentResponse('Stored; processing is queued (status `pending`).'), ...uploadErrors },
});

export const listDocuments = createRoute({
  method: 'get',
  path: '/api/v1/documents',
  tags,
  security,
  summary: 'List knowledge documents (moderator, admin)',
  description: 'Newest first: status, size, chunks, uploader and how many answers cited each.',
  middleware: guard('content:write'),
  request: { query: ListDocumentsQuerySchema },
  responses: { 200: jsonContent(DocumentListSchema, 'One page.'), 400: errorResponse('Invalid query.'), ...authErrors },
});

export const getDocument = createRoute({
  method: 'get',
  path: '/api/v1/documents/{id}',
  tags,
  security,
  summary: 'One knowledge document (moderator, admin)',
  middleware: guard('content:write'),
  request: { params: DocumentIdParamSchema },
  responses: { 200: DocumentResponse('The document.'), 404: errorResponse('No such document.'), ...authErrors },
});

export const updateDocument = createRoute({
  method: 'patch',
  path: '/api/v1/documents/{id}',
  tags,
  security,
  summary: 'Publish, unpublish or rename a document (moderator, admin)',
  middleware: guard('content:write'),
  request: { params: DocumentIdParamSchema, body: jsonBody(UpdateDocumentSchema) },
  responses: {
    200: DocumentResponse('The updated document.'),
    400: errorResponse('Invalid input, INVALID_FILE_NAME.'),
    404: errorResponse('No such document.'),
    ...authErrors,
  },
});

export const deleteDocument = createRoute({
  method: 'delete',
  path: '/api/v1/documents/{id}',
  tags,
  security,
  summary: 'Delete a document: its file, chunks and index rows (moderator, admin)',
  middleware: guard('content:delete'),
  request: { params: DocumentIdParamSchema },
  responses: { 204: { description: 'Deleted.' }, 404: errorResponse('No such document.'), ...authErrors },
});

export const getDocumentContent = createRoute({
  method: 'get',
  path: '/api/v1/documents/{id}/content',
  tags,
  security,
  summary: 'Download a document',
  description:
    'Published documents: anyone who may chat, website visitors (guests) included (they are what answers cite). Drafts, pending or failed documents: editors (content:write) only; a 404 for others. Always `Content-Disposition: attachment` with the stored type and `nosniff`: never rendered inline.',
  middleware: guard(['chat:use', 'chat:guest']),
  request: { params: DocumentIdParamSchema },
  responses: {
    200: {
      description: 'The file as uploaded.',
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    },
    404: errorResponse('No such document (or one you may not read).'),
    ...authErrors,
  },
});

export const replaceDocumentContent = createRoute({
  method: 'put',
  path: '/api/v1/documents/{id}/content',
  tags,
  security,
  summary: 'Replace a document’s file (moderator, admin)',
  description: `${uploadNote} The document keeps its id and publication state and is processed again.`,
  middleware: guard('content:write'),
  request: { params: DocumentIdParamSchema, body: uploadBody },
  responses: {
    202: DocumentResponse('Stored; processing is queued (status `pending`).'),
    404: errorResponse('No such document.'),
    409: errorResponse('DOCUMENT_CHANGED: replaced by someone else meanwhile.'),
    ...uploadErrors,
  },
});
