import { z } from '@hono/zod-openapi';
import { EmailSchema, PasswordInputSchema } from '../auth/auth.schemas';

export const AcceptedSchema = z
  .object({ message: z.string().openapi({ example: 'Check your email.' }) })
  .openapi('Accepted');

export const EmailBodySchema = z.object({ email: EmailSchema }).strict().openapi('EmailRequest');

/** A token from a mailed link (base64url of 32 bytes is 43 characters). */
export const LinkTokenSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{20,200}$/, 'This link is not complete. Open it from the mail again.')
  .openapi({ example: 'Jw3h…' });

export const TokenBodySchema = z.object({ token: LinkTokenSchema }).strict().openapi('LinkTokenRequest');

export const ResetBodySchema = z
  .object({ token: LinkTokenSchema, newPassword: PasswordInputSchema })
  .strict()
  .openapi('PasswordResetRequest');
