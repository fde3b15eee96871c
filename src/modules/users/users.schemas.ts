import { z } from '@hono/zod-openapi';
import { ROLES } from '../../db/schema';
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
  page: z.coerce.number().int().min(1).max(100_000).default(1).openapi({ example: 1 }),
  pageSize: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  role: z.enum(ROLES).optional(),
});

export const UserListSchema = z
  .object({ items: z.array(UserSchema), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() })
  .openapi('UserList');

export const UserIdParamSchema = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '7d9f1c1e-2f0b-4a57-9c5e-0e7b3c1b2a10' }),
});

export const ChangeRoleSchema = z
  .object({ role: z.enum(ROLES) })
  .strict()
  .openapi('ChangeRoleRequest');

export const ChangeStatusSchema = z.object({ isActive: z.boolean() }).strict().openapi('ChangeStatusRequest');
