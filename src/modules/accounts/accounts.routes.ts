import { createRoute } from '@hono/zod-openapi';
import { errorResponse, jsonBody, jsonContent } from '../../lib/common-schemas';
import { RegisterBodySchema, SignInResponseSchema } from '../auth/auth.schemas';
import { AcceptedSchema, EmailBodySchema, ResetBodySchema, TokenBodySchema } from './accounts.schemas';

const tags = ['Accounts'];
const accepted = jsonContent(AcceptedSchema, 'Accepted; the same answer whether or not the address has an account.');
const limited = errorResponse('Too many requests from this client.');

export const register = createRoute({
  method: 'post',
  path: '/api/v1/auth/register',
  tags,
  summary: 'Create an account',
  description:
    'New accounts get the `user` role and start unverified: a verification link is mailed (24 hours, single use). ' +
    'An address that already has an account gets the same 202, and its owner a "someone tried to sign up" mail. ' +
    'The username is held either way. Until verified an account can sign in but not chat; unverified accounts ' +
    'are removed after 7 days.',
  request: { body: jsonBody(RegisterBodySchema) },
  responses: {
    202: accepted,
    400: errorResponse('Invalid input or a password the policy refuses (each rule has its own code).'),
    409: errorResponse('The username is taken (USERNAME_TAKEN).'),
    429: limited,
  },
});

export const verifyEmail = createRoute({
  method: 'post',
  path: '/api/v1/auth/email/verify',
  tags,
  summary: 'Confirm an email address',
  description: 'The token from the verification link. Single use; a newer link makes older ones invalid.',
  request: { body: jsonBody(TokenBodySchema) },
  responses: {
    200: jsonContent(AcceptedSchema, 'Confirmed.'),
    400: errorResponse('Invalid, expired or used link (INVALID_TOKEN).'),
    429: limited,
  },
});

export const resendVerification = createRoute({
  method: 'post',
  path: '/api/v1/auth/email/resend',
  tags,
  summary: 'Send the verification link again',
  description: 'Always 202. Mail per address is rate limited; requests per IP too.',
  request: { body: jsonBody(EmailBodySchema) },
  responses: { 202: accepted, 400: errorResponse('Not an email address.'), 429: limited },
});

export const forgotPassword = createRoute({
  method: 'post',
  path: '/api/v1/auth/password/forgot',
  tags,
  summary: 'Ask for a password reset link',
  description: 'Always 202. The link is single use and lives 30 minutes.',
  request: { body: jsonBody(EmailBodySchema) },
  responses: { 202: accepted, 400: errorResponse('Not an email address.'), 429: limited },
});

export const resetPassword = createRoute({
  method: 'post',
  path: '/api/v1/auth/password/reset',
  tags,
  summary: 'Choose a new password with a reset link',
  description:
    'Applies the password policy, confirms the address, ends every session, lifts every lockout. It does not ' +
    'sign in: the next sign-in asks for the second factor as usual.',
  request: { body: jsonBody(ResetBodySchema) },
  responses: {
    200: jsonContent(AcceptedSchema, 'Changed; sign in with the new password.'),
    400: errorResponse('Invalid link (INVALID_TOKEN) or a password the policy refuses.'),
    429: limited,
  },
});

export const signinLink = createRoute({
  method: 'post',
  path: '/api/v1/auth/login/link',
  tags,
  summary: 'Sign in with a mailed one-time link',
  description:
    'Past the account-wide failure threshold a correct password also needs this link, mailed to the owner. ' +
    'It lifts that lock and answers like login (tokens, or the second step).',
  request: { body: jsonBody(TokenBodySchema) },
  responses: {
    200: jsonContent(SignInResponseSchema, 'Signed in, or the second step.'),
    400: errorResponse('Invalid, expired or used link (INVALID_TOKEN).'),
    429: limited,
  },
});
