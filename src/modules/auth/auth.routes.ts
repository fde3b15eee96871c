import { createRoute, z } from '@hono/zod-openapi';
import { errorResponse, jsonBody, jsonContent } from '../../lib/common-schemas';
import { EmptyBodySchema, LoginBodySchema, SignInResponseSchema, TokenResponseSchema } from './auth.schemas';

const tags = ['Auth'];

const refreshCookieNote =
  'Uses the `__Secure-refresh_token` cookie (HttpOnly, Secure, SameSite=Strict, Path=/api/v1/auth). ' +
  'Requires `Content-Type: application/json` and an allowed `Origin`.';

export const login = createRoute({
  method: 'post',
  path: '/api/v1/auth/login',
  tags,
  summary: 'Sign in',
  description:
    'Returns an access token and sets the refresh cookie; or, with 2FA on, `{mfaRequired, mfaToken, methods}` and ' +
    'no tokens (finish at `/auth/mfa/verify`); or, for a role that must have 2FA and has none, ' +
    '`{mfaEnrollmentRequired, mfaToken}`. It never takes a code. Every failure looks the same; an account past ' +
    'the account-wide failure threshold also needs a one-time link, mailed when the password is right.',
  request: { body: jsonBody(LoginBodySchema) },
  responses: {
    200: jsonContent(SignInResponseSchema, 'Signed in, or the second step.'),
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
