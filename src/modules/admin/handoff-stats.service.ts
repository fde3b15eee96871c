import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { handoffs } from '../../db/schema';
import { utcDay } from '../chat/usage.service';

const DAY_MS = 86_400_000;

export type HandoffDay = {
  date: string;
  handoffs: number;
  claimed: number;
  timedOut: number;
  medianClaimSeconds: number | null;
  averageClaimSeconds: number | null;
  medianResolveSeconds: number | null;
  averageResolveSeconds: number | null;
};

const dayOf = sql`strftime('%Y-%m-%d', ${handoffs.requestedAt} / 1000, 'unixepoch')`;
// Take-overs (an operator claiming a conversation the assistant was answering) are claimed the moment
// they exist: counting them would make every wait look instant.
const asked = (since: number) => sql`${handoffs.requestedAt} >= ${since} and ${handoffs.trigger} <> 'operator'`;

type CountRow = {
  day: string;
  handoffs: number;
  claimed: number;
  timedOut: number;
  avgClaimMs: number | null;
  avgResolveMs: number | null;
};

/** Per-day median of `duration` (ms) over the handoffs where it is not null: the middle row, or the mean of the two. */
async function mediansByDay(db: Db, since: number, duration: SQL): Promise<Map<string, number>> {
  const rows = await db.all<{ day: string; median: number }>(sql`
    with d as (
      select ${dayOf} as day, ${duration} as v from ${handoffs} where ${asked(since)} and ${duration} is not null
    ), r as (
      select day, v, row_number() over (partition by day order by v) as rn, count(*) over (partition by day) as n from d
    )
    select day, avg(v) as median from r where rn in ((n + 1) / 2, (n + 2) / 2) group by day`);
  return new Map(rows.map((row) => [row.day, Number(row.median)]));
}

const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.round(ms / 1000));

/**
 * Handoffs per UTC day (of the request) over the last `days` days: how many were asked for, claimed and
 * timed out, and how long they took to claim and to resolve (requested → resolved), median and mean, in
 * seconds; null on days with nothing to measure. Aggregates only.
 */
export async function handoffStats(db: Db, days: number, now = Date.now()): Promise<HandoffDay[]> {
  const since = Date.parse(utcDay(now - (days - 1) * DAY_MS));
  const toClaim = sql`(${handoffs.claimedAt} - ${handoffs.requestedAt})`;
  const toResolve = sql`(${handoffs.resolvedAt} - ${handoffs.requestedAt})`;
  const [counts, claimMedians, resolveMedians] = await Promise.all([
    db.all<CountRow>(sql`
      select ${dayOf} as day, count(*) as handoffs,
        sum(${handoffs.claimedAt} is not null) as claimed, sum(${handoffs.timedOutAt} is not null) as timedOut,
        avg(${toClaim}) as avgClaimMs, avg(${toResolve}) as avgResolveMs
      from ${handoffs} where ${asked(since)} group by day`),
    mediansByDay(db, since, toClaim),
    mediansByDay(db, since, toResolve),
  ]);
  const byDay = new Map(counts.map((row) => [row.day, row]));
  return Array.from({ length: days }, (_, i) => {
    const date = utcDay(now - (days - 1 - i) * DAY_MS);
    const row = byDay.get(date);
    return {
      date,
      handoffs: Number(row?.handoffs ?? 0),
      claimed: Number(row?.claimed ?? 0),
      timedOut: Number(row?.timedOut ?? 0),
      medianClaimSeconds: seconds(claimMedians.get(date)),
      averageClaimSeconds: seconds(row?.avgClaimMs),
      medianResolveSeconds: seconds(resolveMedians.get(date)),
      averageResolveSeconds: seconds(row?.avgResolveMs),
    };
  });
}
