import { createRoute, z } from '@hono/zod-openapi';
import {
  authErrors,
  bearerOrKeySecurity,
  bearerSecurity,
  errorResponse,
  jsonBody,
  jsonContent,
} from '../../lib/common-schemas';
import { guard } from '../auth/authenticate';
import {
  AdminKeyListQuerySchema,
  AdminKeyListSchema,
  ApiKeyResponseSchema,
  CreateKeySchema,
  CurrentKeySchema,
  KeyIdParamSchema,
  KeyListSchema,
  NewKeyResponseSchema,
  RotateKeySchema,
  UpdateKeySchema,
} from './api-keys.schemas';

const tags = ['API keys'];
const security = bearerSecurity;

export const createKey = createRoute({
  method: 'post',
  path: '/api/v1/api-keys',
  tags,
  security,
  summary: 'Create an API key',
  description:
    'For your backends and scripts: send it as `X-API-Key` or `Authorization: Bearer sk_…` on `/api/v1` and `/v1`. ' +
    'The secret is in `key`, shown this once. Scopes default to `chat:use`; a key never manages accounts or keys. ' +
    'Its spend also counts toward your own budget.',
  middleware: guard('keys:manage'),
  request: { body: jsonBody(CreateKeySchema) },
  responses: {
    201: jsonContent(NewKeyResponseSchema, 'Created; `key` is the secret.'),
    400: errorResponse(
      'Invalid input, a scope or model your role lacks (SCOPE_NOT_ALLOWED, MODEL_NOT_AVAILABLE), or a past expiry.',
    ),
    409: errorResponse('You have the most keys allowed (API_KEY_LIMIT_REACHED).'),
    ...authErrors,
  },
});

export const listKeys = createRoute({
  method: 'get',
  path: '/api/v1/api-keys',
  tags,
  security,
  summary: 'Your API keys',
  description: 'Newest first, revoked ones included, with today’s usage (UTC).',
  middleware: guard('keys:manage'),
  responses: { 200: jsonContent(KeyListSchema, 'Your keys.'), ...authErrors },
});

const keyNotFound = { 404: errorResponse('No such key (or not yours).') };

export const getKey = createRoute({
  method: 'get',
  path: '/api/v1/api-keys/{id}',
  tags,
  security,
  summary: 'One of your API keys (admins: anyone’s)',
  middleware: guard('keys:manage'),
  request: { params: KeyIdParamSchema },
  responses: { 200: jsonContent(ApiKeyResponseSchema, 'The key.'), ...keyNotFound, ...authErrors },
});

export const updateKey = createRoute({
  method: 'patch',
  path: '/api/v1/api-keys/{id}',
  tags,
  security,
  summary: 'Change a key’s name, scopes, models, limits or expiry',
  description: 'Takes effect from the key’s next request.',
  middleware: guard('keys:manage'),
  request: { params: KeyIdParamSchema, body: jsonBody(UpdateKeySchema) },
  responses: {
    200: jsonContent(ApiKeyResponseSchema, 'The key as it is now.'),
    400: errorResponse('Invalid input.'),
    ...keyNotFound,
    409: errorResponse('The key is revoked (API_KEY_REVOKED).'),
    ...authErrors,
  },
});

export const deleteKey = createRoute({
  method: 'delete',
  path: '/api/v1/api-keys/{id}',
  tags,
  security,
  summary: 'Revoke a key at once (admins: anyone’s)',
  middleware: guard('keys:manage'),
  request: { params: KeyIdParamSchema },
  responses: { 204: { description: 'Revoked (or already revoked).' }, ...keyNotFound, ...authErrors },
});

export const rotateKey = createRoute({
  method: 'post',
  path: '/api/v1/api-keys/{id}/rotate',
  tags,
  security,
  summary: 'Rotate a key’s secret',
  description:
    'A new secret (in `key`, shown once) under the same key id. The old secret keeps working for `graceSeconds` ' +
    '(0, the default: stops at once; at most 86,400). A key has at most one previous secret: rotating again ends it.',
  middleware: guard('keys:manage'),
  // Optional: an empty body rotates with no grace.
  request: {
    params: KeyIdParamSchema,
    body: { required: false, content: { 'application/json': { schema: RotateKeySchema } } },
  },
  responses: {
    200: jsonContent(NewKeyResponseSchema, 'Rotated; `key` is the new secret.'),
    400: errorResponse('Invalid input.'),
    ...keyNotFound,
    409: errorResponse('The key is revoked (API_KEY_REVOKED).'),
    ...authErrors,
  },
});

export const listAllKeys = createRoute({
  method: 'get',
  path: '/api/v1/admin/api-keys',
  tags,
  security,
  summary: 'Everyone’s API keys (admin)',
  description: 'Live keys unless `includeRevoked=true`; revoke any with DELETE /api/v1/api-keys/{id}.',
  middleware: guard('keys:admin'),
  request: { query: AdminKeyListQuerySchema },
  responses: { 200: jsonContent(AdminKeyListSchema, 'A page of keys.'), ...authErrors },
});

const OpenAIErrorSchema = z
  .object({
    error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string() }),
  })
  .openapi('KeyError');

export const currentKey = createRoute({
  method: 'get',
  path: '/v1/key',
  tags: ['OpenAI-compatible'],
  security: bearerOrKeySecurity,
  summary: 'The calling API key: its limits, what is left today, its expiry (OpenRouter-style)',
  middleware: guard('chat:use'),
  responses: {
    200: jsonContent(CurrentKeySchema, 'The key.'),
    400: jsonContent(OpenAIErrorSchema, 'Called with an access token, not an API key (API_KEY_REQUIRED).'),
    401: jsonContent(OpenAIErrorSchema, 'Missing or invalid key.'),
    403: jsonContent(OpenAIErrorSchema, 'The key lacks chat:use.'),
  },
});
