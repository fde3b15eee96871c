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
