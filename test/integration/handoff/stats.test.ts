import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client';
import { handoffStats } from '../../../src/modules/admin/handoff-stats.service';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { seedHandoff, seedUser } from '../../helpers/handoff-rows';
import { call } from '../../helpers/http';

const S = 1000;
// A fixed "now" for the service; the HTTP test uses the real clock.
const NOW = Date.UTC(2026, 10, 27, 15, 0);
const at = (daysAgo: number, hour: number) => Date.UTC(2026, 10, 27 - daysAgo, hour);

type Row = { requestedAt: number; claimAfter?: number; resolveAfter?: number; timedOut?: boolean; operator?: boolean };

async function seed(rows: Row[]) {
  const user = await seedUser();
  for (const row of rows) {
    await seedHandoff(
      { userId: user.id },
      {
        state: 'resolved',
        trigger: row.operator ? 'operator' : 'customer',
        requestedAt: row.requestedAt,
        claimedAt: row.claimAfter === undefined ? null : row.requestedAt + row.claimAfter,
        resolvedAt: row.resolveAfter === undefined ? null : row.requestedAt + row.resolveAfter,
        timedOutAt: row.timedOut ? row.requestedAt + 300 * S : null,
      },
    );
  }
}

describe('handoff figures per UTC day', () => {
  it('counts, claims, time-outs and median and mean times to claim and to resolve', async () => {
    await seed([
      // Two days ago: four claims (60, 120, 300, 900 s), two resolved (600, 1200 s), two timed out.
      { requestedAt: at(2, 10), claimAfter: 60 * S, resolveAfter: 600 * S },
      { requestedAt: at(2, 11), claimAfter: 120 * S, resolveAfter: 1200 * S },
      { requestedAt: at(2, 12), claimAfter: 300 * S },
      { requestedAt: at(2, 13), timedOut: true },
      { requestedAt: at(2, 23), timedOut: true, claimAfter: 900 * S },
      // Three days ago: an odd number of claims (10, 20, 90 s).
      { requestedAt: at(3, 8), claimAfter: 10 * S },
      { requestedAt: at(3, 9), claimAfter: 90 * S },
      { requestedAt: at(3, 10), claimAfter: 20 * S },
      // Today, and an operator take-over (claimed at once) that must not count.
      { requestedAt: at(0, 9), claimAfter: 30 * S, resolveAfter: 45 * S },
      { requestedAt: at(0, 10), claimAfter: 0, operator: true },
      // Outside the 14 days.
      { requestedAt: at(20, 9), claimAfter: 5 * S },
    ]);

    const days = await handoffStats(createDb(env.DB), 14, NOW);
    expect(days).toHaveLength(14);
    expect(days[0]?.date).toBe('2026-11-14');
    expect(days.at(-1)?.date).toBe('2026-11-27');
    const byDate = new Map(days.map((d) => [d.date, d]));
    expect(byDate.get('2026-11-25')).toEqual({
      date: '2026-11-25',
      handoffs: 5,
      claimed: 4,
      timedOut: 2,
      medianClaimSeconds: 210,
      averageClaimSeconds: 345,
      medianResolveSeconds: 900,
      averageResolveSeconds: 900,
    });
    expect(byDate.get('2026-11-24')).toMatchObject({
      handoffs: 3,
      claimed: 3,
      timedOut: 0,
      medianClaimSeconds: 20,
      averageClaimSeconds: 40,
      medianResolveSeconds: null,
      averageResolveSeconds: null,
    });
    expect(byDate.get('2026-11-27')).toMatchObject({
      handoffs: 1,
      claimed: 1,
      medianClaimSeconds: 30,
      averageClaimSeconds: 30,
      medianResolveSeconds: 45,
    });
    expect(byDate.get('2026-11-26')).toEqual({
      date: '2026-11-26',
      handoffs: 0,
      claimed: 0,
      timedOut: 0,
      medianClaimSeconds: null,
      averageClaimSeconds: null,
      medianResolveSeconds: null,
      averageResolveSeconds: null,
    });
    expect(days.reduce((sum, d) => sum + d.handoffs, 0)).toBe(9);
  });

  it('are part of GET /api/v1/admin/stats, for admins only', async () => {
    const now = Date.now();
    await seed([{ requestedAt: now - 2 * S, claimAfter: S }]);
    const admin = await registerAndLogin('admin');
    const res = await call('/api/v1/admin/stats', { headers: bearer(admin.accessToken) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { handoffs: { byDay: { date: string; handoffs: number; claimed: number }[] } };
    expect(body.handoffs.byDay).toHaveLength(14);
    const today = body.handoffs.byDay.at(-1);
    expect(today?.date).toBe(new Date(now - 2 * S).toISOString().slice(0, 10));
    expect(today?.handoffs).toBeGreaterThanOrEqual(1);
    expect(today?.claimed).toBeGreaterThanOrEqual(1);

    const moderator = await registerAndLogin('moderator');
    expect((await call('/api/v1/admin/stats', { headers: bearer(moderator.accessToken) })).status).toBe(403);

    const doc = (await (await call('/openapi.json')).json()) as {
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.components.schemas.HandoffDay?.properties ?? {})).toEqual([
      'date',
      'handoffs',
      'claimed',
      'timedOut',
      'medianClaimSeconds',
      'averageClaimSeconds',
      'medianResolveSeconds',
      'averageResolveSeconds',
    ]);
  });
});
