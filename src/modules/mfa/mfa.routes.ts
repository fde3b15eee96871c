import { createRoute, z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import {
  authErrors,
  bearerSecurity,
  errorResponse,
  IdParamSchema,
  jsonBody,
  jsonContent,
} from '../../lib/common-schemas';
import type { AppEnv } from '../../lib/types';
import { TokenResponseSchema, UserSchema } from '../auth/auth.schemas';
import { guard, requirePermission } from '../auth/authenticate';
import {
  BackupCodesSchema,
  CodeBodySchema,
  DisableBodySchema,
  EnableBodySchema,
  EnableResponseSchema,
  SetupBodySchema,
  SetupResponseSchema,
  VerifyBodySchema,
} from './mfa.schemas';

const tags = ['Two-factor authentication'];

/**
 * Setup and enable take either a signed-in caller (bearer, `self:security`) or the `mfaToken` of a
 * login whose role must enrol first (checked by the handler). A bearer caller is held to the permission.
 */
const selfOrEnrollment = createMiddleware<AppEnv>(async function selfOrEnrollment(c, next) {
  if (c.get('user')) return requirePermission('self:security')(c, next);
  await next();
});

// Bearer, or no header with an enrolment mfaToken in the body.
const bearerOrEnrollment = [...bearerSecurity, {}];

export const setupTotp = createRoute({
  method: 'post',
  path: '/api/v1/auth/mfa/totp/setup',
  tags,
  security: bearerOrEnrollment,
  summary: 'Start TOTP setup',
  description:
    'Returns a new secret and its `otpauth://` URI (show it as a QR code). Nothing changes until `/enable` ' +
    'confirms a code from it. Signed in, or with the `mfaToken` of a login that answered `mfaEnrollmentRequired`.',
  middleware: [selfOrEnrollment],
  // Signed in, there is nothing to send: the body is optional.
  request: { body: { required: false, content: { 'application/json': { schema: SetupBodySchema } } } },
  responses: {
    200: jsonContent(SetupResponseSchema, 'The pending secret.'),
    409: errorResponse('2FA is already on (MFA_ALREADY_ENABLED).'),
    503: errorResponse('No MFA_ENCRYPTION_KEYS configured (MFA_UNAVAILABLE).'),
    ...authErrors,
  },
});

export const enableTotp = createRoute({
  method: 'post',
  path: '/api/v1/auth/mfa/totp/enable',
  tags,
  security: bearerOrEnrollment,
  summary: 'Confirm TOTP setup with a code',
  description:
    'Turns 2FA on and returns 10 backup codes, once. With an enrolment `mfaToken` it also finishes the sign-in ' +
    '(access token in the body, refresh cookie set).',
  middleware: [selfOrEnrollment],
  request: { body: jsonBody(EnableBodySchema) },
  responses: {
    200: jsonContent(EnableResponseSchema, 'On; the backup codes (and tokens when enrolling at sign-in).'),
    400: errorResponse('Wrong code (INVALID_MFA_CODE).'),
    409: errorResponse('Already on, or no setup started.'),
    ...authErrors,
  },
});

export const verifyMfa = createRoute({
  method: 'post',
  path: '/api/v1/auth/mfa/verify',
  tags,
  summary: 'Finish a sign-in with a code',
  description:
    'The `mfaToken` from login and a current TOTP code or an unused backup code. A TOTP code works once; ' +
    'wrong codes count towards the lockout, and the mfaToken dies after 5 of them or 5 minutes.',
  request: { body: jsonBody(VerifyBodySchema) },
  responses: {
    200: jsonContent(TokenResponseSchema, 'Signed in; the refresh cookie is set.'),
    401: errorResponse('Wrong code (INVALID_MFA_CODE) or an expired/used mfaToken (MFA_TOKEN_INVALID).'),
    429: errorResponse('Too many attempts from this client.'),
  },
});

export const regenerateBackupCodes = createRoute({
  method: 'post',
  path: '/api/v1/auth/mfa/backup-codes',
  tags,
  security: bearerSecurity,
  summary: 'New backup codes',
  description: 'Needs a current code (TOTP or backup). The old codes stop working.',
  middleware: guard('self:security'),
  request: { body: jsonBody(CodeBodySchema) },
  responses: {
    200: jsonContent(BackupCodesSchema, 'The new codes, shown once.'),
    400: errorResponse('Wrong code.'),
    409: errorResponse('2FA is off.'),
    ...authErrors,
  },
});

export const disableTotp = createRoute({
  method: 'post',
  path: '/api/v1/auth/mfa/totp/disable',
  tags,
  security: bearerSecurity,
  summary: 'Turn 2FA off',
  description: 'Needs the password and a current code. Roles in MFA_REQUIRED_ROLES cannot turn it off.',
  middleware: guard('self:security'),
  request: { body: jsonBody(DisableBodySchema) },
  responses: {
    204: { description: 'Off; the backup codes are gone.' },
    400: errorResponse('Wrong password or code.'),
    409: errorResponse('2FA is off, or your role requires it.'),
    ...authErrors,
  },
});

export const resetUserMfa = createRoute({
  method: 'delete',
  path: '/api/v1/users/{id}/mfa',
  tags,
  security: bearerSecurity,
  summary: 'Turn off a user’s 2FA (admin)',
  description: 'For a lost device: 2FA off, backup codes gone, every session ended, the user mailed. Audited.',
  middleware: guard('users:manage'),
  request: { params: IdParamSchema() },
  responses: {
    200: jsonContent(z.object({ user: UserSchema }), 'The user, 2FA off.'),
    404: errorResponse('No such user.'),
    ...authErrors,
  },
});
