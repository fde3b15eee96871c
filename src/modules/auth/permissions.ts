import type { CallerRole } from '../../lib/caller-role';

/** Every permission the API checks. A route names exactly one (or none, if public). */
export const PERMISSIONS = [
  'self:read',
  'self:write',
  'users:read',
  'users:write',
  'users:manage',
  'content:read',
  'content:write',
  'content:delete',
  'chat:use',
  'chat:guest',
  'sites:read',
  'sites:manage',
  'admin:stats',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/**
 * The one role → permission matrix (admin ⊃ moderator ⊃ user ⊃ viewer). `users:manage`
 * (role changes, deactivation, deletion), `sites:manage` and `admin:stats` are admin-only; moderators
 * may read users and unlock them (`users:write`), run the knowledge base and read widget sites.
 * `guest` is no account role: a website visitor with a guest access token may chat, nothing else.
 */
const viewer: readonly Permission[] = ['self:read', 'content:read'];
const user: readonly Permission[] = [...viewer, 'self:write', 'chat:use'];
const moderator: readonly Permission[] = [
  ...user,
  'users:read',
  'users:write',
  'content:write',
  'content:delete',
  'sites:read',
];
const admin: readonly Permission[] = PERMISSIONS;

export const ROLE_PERMISSIONS: Readonly<Record<CallerRole, ReadonlySet<Permission>>> = {
  guest: new Set(['chat:guest']),
  viewer: new Set(viewer),
  user: new Set(user),
  moderator: new Set(moderator),
  admin: new Set(admin),
};

export const can = (role: CallerRole, permission: Permission): boolean => ROLE_PERMISSIONS[role].has(permission);

/** Whether the role holds at least one of `permissions` (routes open to accounts and guests alike). */
export const canAny = (role: CallerRole, permissions: readonly Permission[]): boolean =>
  permissions.some((permission) => can(role, permission));
