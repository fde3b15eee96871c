import type { ApiKeyScope } from '../../db/schema';
import type { CallerRole } from '../../lib/caller-role';
import type { AuthUser } from '../../lib/types';

/** Every permission the API checks. A route names exactly one (or none, if public). */
export const PERMISSIONS = [
  'self:read',
  'self:write',
  'self:security',
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
  'keys:manage',
  'keys:admin',
  'admin:stats',
  'inbox:operate',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/**
 * The one role → permission matrix (admin ⊃ moderator ⊃ user ⊃ viewer). `users:manage`
 * (role changes, deactivation, deletion), `keys:admin` (everyone's API keys), `sites:manage` and `admin:stats`
 * are admin-only; moderators may read users and unlock them (`users:write`), run the knowledge base and read
 * widget sites, and are the operators of human handoff (`inbox:operate`). `guest` is no account role: a website visitor with a guest access token may chat, nothing else.
 */
// Every account may protect its own sign-in (2FA), viewers included.
const viewer: readonly Permission[] = ['self:read', 'self:security', 'content:read'];
const user: readonly Permission[] = [...viewer, 'self:write', 'chat:use', 'keys:manage'];
const moderator: readonly Permission[] = [
  ...user,
  'users:read',
  'users:write',
  'content:write',
  'content:delete',
  'sites:read',
  'inbox:operate',
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

/**
 * What an API key may do: the scopes it was given (only `API_KEY_SCOPES`, never account or key
 * management) that its owner's role still grants today. An admin's key is no admin credential.
 */
export const keyCan = (ownerRole: CallerRole, scopes: readonly ApiKeyScope[], permission: Permission): boolean =>
  (scopes as readonly Permission[]).includes(permission) && can(ownerRole, permission);

/** Whether this caller — a signed-in user, a guest, or an API key acting for a user — may do `permission`. */
export const allows = (user: AuthUser, permission: Permission): boolean =>
  user.apiKey ? keyCan(user.role, user.apiKey.scopes, permission) : can(user.role, permission);

/** Whether the caller may do at least one of `permissions` (routes open to accounts and guests alike). */
export const allowsAny = (user: AuthUser, permissions: readonly Permission[]): boolean =>
  permissions.some((permission) => allows(user, permission));

/** Whether the role holds at least one of `permissions`. */
export const canAny = (role: CallerRole, permissions: readonly Permission[]): boolean =>
  permissions.some((permission) => can(role, permission));
