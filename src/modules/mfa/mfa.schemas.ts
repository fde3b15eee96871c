import { z } from '@hono/zod-openapi';
import { PasswordInputSchema } from '../auth/auth.schemas';

const MfaTokenSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{20,200}$/, 'This sign-in has expired. Sign in again.');

/** A 6-digit TOTP code, or a backup code (`xxxx-xxxx-xxxx-xxxx`; case, spaces and hyphens do not matter). */
export const CodeSchema = z.string().trim().min(6).max(40).openapi({ example: '492039' });

export const SetupBodySchema = z
  .object({
    mfaToken: MfaTokenSchema.optional().openapi({
      description: 'From a login that answered `mfaEnrollmentRequired`; omit when signed in.',
    }),
  })
  .strict()
  .openapi('TotpSetupRequest');

export const SetupResponseSchema = z
  .object({
    secret: z.string().openapi({ description: 'Base32, for typing into an authenticator app.' }),
    otpauthUri: z.string().openapi({ example: 'otpauth://totp/Support:jane%40example.com?secret=…&issuer=Support' }),
  })
  .openapi('TotpSetup');

export const EnableBodySchema = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^\d{6}$/, 'Enter the 6-digit code from your app.'),
    mfaToken: MfaTokenSchema.optional(),
  })
  .strict()
  .openapi('TotpEnableRequest');

export const BackupCodesSchema = z
  .object({
    backupCodes: z.array(z.string()).openapi({ description: 'Shown once; each works once. Store them safely.' }),
  })
  .openapi('BackupCodes');

export const EnableResponseSchema = BackupCodesSchema.extend({
  accessToken: z.string().optional(),
  tokenType: z.literal('Bearer').optional(),
  expiresIn: z.number().int().optional(),
}).openapi('TotpEnabled');

export const VerifyBodySchema = z
  .object({ mfaToken: MfaTokenSchema, code: CodeSchema })
  .strict()
  .openapi('MfaVerifyRequest');

export const CodeBodySchema = z.object({ code: CodeSchema }).strict().openapi('MfaCodeRequest');

export const DisableBodySchema = z
  .object({ password: PasswordInputSchema, code: CodeSchema })
  .strict()
  .openapi('TotpDisableRequest');
