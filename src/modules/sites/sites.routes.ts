import { createRoute, z } from '@hono/zod-openapi';
import {
  authErrors,
  bearerSecurity,
  errorResponse,
  jsonBody,
  jsonContent,
  pageOf,
  pageQuery,
} from '../../lib/common-schemas';
import { guard } from '../auth/authenticate';
import { MessageSchema } from '../conversations/conversations.routes';
import {
  CreateSiteSchema,
  GuestConversationSchema,
  SiteIdParamSchema,
  SiteSchema,
  SiteWithSecretSchema,
  UpdateSiteSchema,
} from './sites.schemas';

const tags = ['Widget sites'];
const security = bearerSecurity;

export const listSites = createRoute({
  method: 'get',
  path: '/api/v1/sites',
  tags,
  security,
  summary: 'Websites that embed the chat widget (moderator, admin)',
  middleware: guard('sites:read'),
  responses: { 200: jsonContent(z.object({ items: z.array(SiteSchema) }), 'Every site.'), ...authErrors },
});

export const getSite = createRoute({
  method: 'get',
  path: '/api/v1/sites/{id}',
  tags,
  security,
  summary: 'One site, with its embed snippet (moderator, admin)',
  middleware: guard('sites:read'),
  request: { params: SiteIdParamSchema },
  responses: {
    200: jsonContent(z.object({ site: SiteSchema }), 'The site.'),
    404: errorResponse('No such site.'),
    ...authErrors,
  },
});

export const createSite = createRoute({
  method: 'post',
  path: '/api/v1/sites',
  tags,
  security,
  summary: 'Add a site (admin)',
  description: 'Answers with the identity-verification secret, which is never shown again.',
  middleware: guard('sites:manage'),
  request: { body: jsonBody(CreateSiteSchema) },
  responses: {
    201: jsonContent(SiteWithSecretSchema, 'Created.'),
    400: errorResponse('Invalid input, or INSECURE_ORIGIN (http origins in production).'),
    ...authErrors,
  },
});

export const updateSite = createRoute({
  method: 'patch',
  path: '/api/v1/sites/{id}',
  tags,
  security,
  summary: 'Change a site (admin)',
  middleware: guard('sites:manage'),
  request: { params: SiteIdParamSchema, body: jsonBody(UpdateSiteSchema) },
  responses: {
    200: jsonContent(z.object({ site: SiteSchema }), 'The updated site.'),
    400: errorResponse('Invalid input, or INSECURE_ORIGIN.'),
    404: errorResponse('No such site.'),
    ...authErrors,
  },
});

export const rotateSecret = createRoute({
  method: 'post',
  path: '/api/v1/sites/{id}/identity-secret',
  tags,
  security,
  summary: 'Replace the identity-verification secret (admin)',
  description: 'Identities signed with the old secret stop being accepted at once. The new secret is shown once.',
  middleware: guard('sites:manage'),
  request: { params: SiteIdParamSchema },
  responses: {
    200: jsonContent(SiteWithSecretSchema, 'The site and its new secret.'),
    404: errorResponse('No such site.'),
    ...authErrors,
  },
});

export const deleteSite = createRoute({
  method: 'delete',
  path: '/api/v1/sites/{id}',
  tags,
  security,
  summary: 'Delete a site with its visitors and their conversations (admin)',
  middleware: guard('sites:manage'),
  request: { params: SiteIdParamSchema },
  responses: { 204: { description: 'Deleted.' }, 404: errorResponse('No such site.'), ...authErrors },
});

export const listGuestConversations = createRoute({
  method: 'get',
  path: '/api/v1/sites/{id}/conversations',
  tags,
  security,
  summary: 'Guest conversations on a site, newest first (moderator, admin)',
  middleware: guard('sites:read'),
  request: { params: SiteIdParamSchema, query: z.object(pageQuery(100)) },
  responses: {
    200: jsonContent(pageOf(GuestConversationSchema, 'GuestConversationList'), 'One page.'),
    404: errorResponse('No such site.'),
    ...authErrors,
  },
});

const ConversationParams = SiteIdParamSchema.extend({
  conversationId: z
    .string()
    .uuid()
    .openapi({ param: { name: 'conversationId', in: 'path' }, example: '0f8fad5b-d9cb-469f-a165-70867728950e' }),
});

export const getGuestConversation = createRoute({
  method: 'get',
  path: '/api/v1/sites/{id}/conversations/{conversationId}',
  tags,
  security,
  summary: 'One guest conversation with its messages (moderator, admin)',
  middleware: guard('sites:read'),
  request: { params: ConversationParams },
  responses: {
    200: jsonContent(
      z.object({ conversation: GuestConversationSchema, messages: z.array(MessageSchema) }),
      'The conversation.',
    ),
    404: errorResponse('No such conversation on this site.'),
    ...authErrors,
  },
});
