import type { Role } from '../db/schema';

/** Who may call: an account's role, or `guest` — a website visitor with no account (widget chat). */
export type CallerRole = Role | 'guest';

/** A guest caller's site, and the identity their site's server signed for them, if any. */
export type GuestCaller = { siteId: string; customer?: { id: string; email: string } | undefined };
