import type { User } from '../../db/schema';

/** What an API caller may see of a user: never the hash, counters or token version. */
export function toPublicUser(user: User, now = Date.now()) {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    fullName: user.fullName,
    role: user.role,
    isActive: user.isActive,
    isLocked: user.lockedUntil !== null && user.lockedUntil.getTime() > now,
    emailVerified: user.emailVerifiedAt !== null,
    mfaEnabled: user.mfaEnabledAt !== null,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}

export type PublicUser = ReturnType<typeof toPublicUser>;
