import { createRoute, z } from '@hono/zod-openapi';
import { authErrors, bearerSecurity, errorResponse, jsonBody, jsonContent } from '../../lib/common-schemas';
import { guard } from '../auth/authenticate';
import {
  CreateFaqSchema,
  FaqIdParamSchema,
  FaqListSchema,
  FaqSchema,
  ListFaqsQuerySchema,
  UpdateFaqSchema,
} from './faqs.schemas';

const tags = ['Knowledge base'];
const security = bearerSecurity;
const FaqResponse = (description: string) => jsonContent(z.object({ faq: FaqSchema }), description);
const visibilityNote =
  'Public. Anonymous callers and roles without content:write see published entries only; send a bearer token ' +
  'with content:write (moderator, admin) to see drafts too. A token that is sent must be valid (401 otherwise).';

export const listFaqs = createRoute({
  method: 'get',
  path: '/api/v1/faqs',
  tags,
  summary: 'List or search the knowledge base',
  description: `${visibilityNote} With \`q\`, a full-text search ordered by relevance; without, newest first.`,
  request: { query: ListFaqsQuerySchema },
  responses: {
    200: jsonContent(FaqListSchema, 'One page of entries.'),
    400: errorResponse('Invalid query parameters.'),
    401: errorResponse('A bearer token was sent and is not valid.'),
  },
});

export const getFaq = createRoute({
  method: 'get',
  path: '/api/v1/faqs/{id}',
  tags,
  summary: 'One knowledge-base entry',
  description: `${visibilityNote} A draft is a 404 for those who may not see it.`,
  request: { params: FaqIdParamSchema },
  responses: {
    200: FaqResponse('The entry.'),
    401: errorResponse('A bearer token was sent and is not valid.'),
    404: errorResponse('No such entry (or a draft you may not see).'),
  },
});

export const createFaq = createRoute({
  method: 'post',
  path: '/api/v1/faqs',
  tags,
  security,
  summary: 'Add an entry (moderator, admin)',
  description: 'Entries are drafts unless `published` is true; only published entries reach customers and the chat.',
  middleware: guard('content:write'),
  request: { body: jsonBody(CreateFaqSchema) },
  responses: { 201: FaqResponse('Created.'), 400: errorResponse('Invalid input.'), ...authErrors },
});

export const updateFaq = createRoute({
  method: 'patch',
  path: '/api/v1/faqs/{id}',
  tags,
  security,
  summary: 'Change an entry (moderator, admin)',
  middleware: guard('content:write'),
  request: { params: FaqIdParamSchema, body: jsonBody(UpdateFaqSchema) },
  responses: {
    200: FaqResponse('The updated entry.'),
    400: errorResponse('Invalid input.'),
    404: errorResponse('No such entry.'),
    ...authErrors,
  },
});

export const deleteFaq = createRoute({
  method: 'delete',
  path: '/api/v1/faqs/{id}',
  tags,
  security,
  summary: 'Delete an entry (moderator, admin)',
  middleware: guard('content:delete'),
  request: { params: FaqIdParamSchema },
  responses: { 204: { description: 'Deleted.' }, 404: errorResponse('No such entry.'), ...authErrors },
});
