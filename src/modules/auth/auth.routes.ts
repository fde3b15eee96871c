import { createRoute, z } from '@hono/zod-openapi';
import { errorResponse, jsonBody, jsonContent } from '../../lib/common-schemas';
import { EmptyBodySchema, LoginBodySchema, RegisterBodySchema, TokenResponseSchema, UserSchema } from './auth.schemas';

const tags = ['Auth'];

const refreshCookieNote =
  'Uses the `__Secure-refresh_token` cookie (HttpOnly, Secure, SameSite=Strict, Path=/api/v1/auth). ' +
  'Requires `Content-Type: application/json` and an allowed `Origin`.';

export const register = createRoute({
  method: 'post',
  path: '/api/v1/auth/register',
  tags,
  summary: 'Create an account',
  description:
    'New accounts get the `user` role. An email that is already registered gets the same answer as a new one.',
  request: { body: jsonBody(RegisterBodySchema) },
  responses: {
    201: jsonContent(
      z.object({ user: UserSchema }),
      'The account (or, for a known email, an indistinguishable answer).',
    ),
    400: errorResponse('Invalid input or a password the policy refuses (each rule has its own code).'),
    409: errorResponse('The username is taken.'),
  },
});

export const login = createRoute({
  method: 'post',
  path: '/api/v1/auth/login',
  tags,
  summary: 'Sign in',
  description: 'Returns an access token and sets the refresh cookie. Every failure looks the same.',
  request: { body: jsonBody(LoginBodySchema) },
  responses: {
    200: jsonContent(TokenResponseSchema, 'Signed in.'),
    401: errorResponse('Wrong email or password, or the account is locked.'),
  },
});

export const refresh = createRoute({
  method: 'post',
  path: '/api/v1/auth/refresh',
  tags,
  summary: 'Rotate the refresh token',
  description: `${refreshCookieNote} The presented token dies; presenting it again ends the whole session family.`,
  request: { body: { required: false, content: { 'application/json': { schema: EmptyBodySchema } } } },
  responses: {
    200: jsonContent(TokenResponseSchema, 'A new access token; the cookie holds a new refresh token.'),
    401: errorResponse('No valid refresh token.'),
    403: errorResponse('Wrong origin or content type.'),
  },
});

export const logout = createRoute({
  method: 'post',
  path: '/api/v1/auth/logout',
  tags,
  summary: 'Sign out',
  description: `${refreshCookieNote} Revokes the session and clears the cookie.`,
  request: { body: { required: false, content: { 'application/json': { schema: EmptyBodySchema } } } },
  responses: {
    204: { description: 'Signed out (also when there was no session).' },
    403: errorResponse('Wrong origin or content type.'),
  },
});

export const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags,
  summary: 'Public signing keys',
  description: 'For services that verify our access tokens (ES256, `typ: at+jwt`).',
  responses: {
    200: jsonContent(z.object({ keys: z.array(z.record(z.string(), z.string())) }).openapi('JWKS'), 'The key set.'),
  },
});
