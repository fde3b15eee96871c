import { count, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { ROLES, type Role, users } from '../../db/schema';

/** Account figures for operators: one aggregate query, no per-user rows. */
export async function userStats(db: Db, now = Date.now()) {
  const rows = await db
    .select({
      role: users.role,
      total: count(),
      active: sql<number>`sum(${users.isActive})`,
      locked: sql<number>`sum(CASE WHEN ${users.lockedUntil} > ${now} THEN 1 ELSE 0 END)`,
    })
    .from(users)
    .groupBy(users.role);
  const byRole = Object.fromEntries(ROLES.map((role) => [role, 0])) as Record<Role, number>;
  let total = 0;
  let active = 0;
  let locked = 0;
  for (const row of rows) {
    byRole[row.role] = row.total;
    total += row.total;
    active += Number(row.active ?? 0);
    locked += Number(row.locked ?? 0);
  }
  return { total, byRole, active, inactive: total - active, locked };
}
