import { z } from '@hono/zod-openapi';
import { ROLES } from '../../db/schema';
import { IdParamSchema, pageOf, pageQuery } from '../../lib/common-schemas';
import { FullNameSchema, PasswordInputSchema, UsernameSchema, UserSchema } from '../auth/auth.schemas';

export const UpdateMeSchema = z
  .object({ fullName: FullNameSchema.nullable().optional(), username: UsernameSchema.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'Send at least one field to change.')
  .openapi('UpdateMeRequest');

export const ChangePasswordSchema = z
  .object({ currentPassword: PasswordInputSchema, newPassword: PasswordInputSchema })
  .strict()
  .openapi('ChangePasswordRequest');

export const ListUsersQuerySchema = z.object({
  ...pageQuery(100),
  role: z.enum(ROLES).optional(),
});

export const UserListSchema = pageOf(UserSchema, 'UserList');

export const UserIdParamSchema = IdParamSchema();

export const ChangeRoleSchema = z
  .object({ role: z.enum(ROLES) })
  .strict()
  .openapi('ChangeRoleRequest');

export const ChangeStatusSchema = z.object({ isActive: z.boolean() }).strict().openapi('ChangeStatusRequest');

export const SessionSchema = z
  .object({
    id: z.string().openapi({ description: 'The session id (the access token’s `sid`).' }),
    userAgent: z.string().nullable().openapi({ description: 'The browser or app that signed in, truncated.' }),
    ipPrefix: z
      .string()
      .nullable()
      .openapi({ description: 'The network it signed in from: IPv4 /24 or IPv6 /48, never the address.' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    lastUsedAt: z.string().openapi({ format: 'date-time', description: 'The last sign-in or token refresh.' }),
    current: z.boolean().openapi({ description: 'True for the session this request comes from.' }),
  })
  .openapi('Session');

export const SessionListSchema = z.object({ sessions: z.array(SessionSchema) }).openapi('SessionList');

export const SessionsEndedSchema = z.object({ ended: z.number().int() }).openapi('SessionsEnded');

export const SessionIdParamSchema = IdParamSchema();
