import { z } from '@hono/zod-openapi';
import { ROLES } from '../../db/schema';

const RESERVED_USERNAMES = new Set([
  'admin',
  'administrator',
  'root',
  'system',
  'sysadmin',
  'support',
  'help',
  'helpdesk',
  'moderator',
  'mod',
  'staff',
  'official',
  'owner',
  'security',
  'api',
  'assistant',
  'bot',
  'null',
  'undefined',
  'me',
  'anonymous',
  'www',
  'mail',
  'webmaster',
  'postmaster',
  'hostmaster',
  'abuse',
  'noreply',
  'no-reply',
]);

/** Emails compare case-insensitively in practice; store them one way. */
export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'Enter a valid email address.' }))
  .openapi({ example: 'jane@example.com', format: 'email' });

export const UsernameSchema = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9_-]{3,50}$/, 'Usernames are 3–50 letters, digits, "_" or "-".')
  .refine((name) => !RESERVED_USERNAMES.has(name.toLowerCase()), 'This username is reserved. Choose another.')
  .openapi({ example: 'jane_doe' });

/** Tags and control/format characters (including zero-width ones) are removed before storing. */
export const FullNameSchema = z
  .string()
  .max(200)
  .transform((value) =>
    value
      .replace(/<[^>]*>?/g, '')
      .replace(/[\p{Cc}\p{Cf}]/gu, '')
      .replace(/\s+/g, ' ')
      .trim(),
  )
  .pipe(z.string().max(100, 'The full name must be at most 100 characters.'))
  .openapi({ example: 'Jane Doe' });

/** Bounded well above any policy maximum only so a megabyte password cannot reach Argon2. */
export const PasswordInputSchema = z.string().min(1, 'Enter a password.').max(1024).openapi({ format: 'password' });

export const RegisterBodySchema = z
  .object({
    email: EmailSchema,
    username: UsernameSchema,
    password: PasswordInputSchema,
    fullName: FullNameSchema.optional(),
  })
  .strict()
  .openapi('RegisterRequest');

export const LoginBodySchema = z
  .object({
    // Not validated as an email: a malformed one must fail like any wrong credential.
    email: z.string().trim().toLowerCase().min(1).max(254),
    password: PasswordInputSchema,
  })
  .strict()
  .openapi('LoginRequest');

export const TokenResponseSchema = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires.', example: 900 }),
  })
  .openapi('TokenResponse');

export const MfaRequiredSchema = z
  .object({
    mfaRequired: z.literal(true),
    mfaToken: z.string().openapi({ description: 'Single use, 5 minutes: send it with a code to /auth/mfa/verify.' }),
    methods: z.array(z.enum(['totp', 'backup_code'])),
  })
  .openapi('MfaRequired');

export const MfaEnrollmentRequiredSchema = z
  .object({
    mfaEnrollmentRequired: z.literal(true),
    mfaToken: z.string().openapi({
      description: 'Your role must use 2FA: send this to /auth/mfa/totp/setup and /enable, which signs you in.',
    }),
  })
  .openapi('MfaEnrollmentRequired');

export const SignInResponseSchema = z
  .union([TokenResponseSchema, MfaRequiredSchema, MfaEnrollmentRequiredSchema])
  .openapi('SignInResponse');

export const UserSchema = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    username: z.string(),
    fullName: z.string().nullable(),
    role: z.enum(ROLES),
    isActive: z.boolean(),
    isLocked: z.boolean(),
    emailVerified: z.boolean(),
    mfaEnabled: z.boolean(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    lastLoginAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('User');

export const EmptyBodySchema = z.object({}).strict().openapi('EmptyRequest');
