import { DurableObject } from 'cloudflare:workers';

type ShardDay = { day: string; spent: number; reserved: number };

/**
 * One slice of a daily token ceiling shared by many callers (today the whole deployment's,
 * TOKEN_BUDGET_DAILY_TOTAL). No single object may see every chat turn, so the ceiling is split over
 * several shards and each turn reserves from one of them, beside its admission call. A shard counts
 * exactly (one call at a time, no await between read and write); the ceiling as a whole stops within
 * one reservation per shard of its total, because a spent shard refuses while another may have a little left.
 */
export class BudgetShard extends DurableObject<Env> {
  private state: ShardDay | undefined;

  async reserve(day: string, tokens: number, sliceLimit: number): Promise<boolean> {
    const today = await this.on(day);
    if (today.spent + today.reserved + tokens > sliceLimit) return false;
    this.save({ ...today, reserved: today.reserved + tokens });
    return true;
  }

  /** Returns a reservation and charges what the turn cost (0 when it was refused or answered from the FAQ). */
  async settle(day: string, reserved: number, used: number): Promise<void> {
    const today = await this.on(day);
    if (today.day !== day) return; // a turn from before midnight: the new day owes nothing
    this.save({ day, spent: today.spent + Math.max(0, used), reserved: Math.max(0, today.reserved - reserved) });
  }

  private async on(day: string): Promise<ShardDay> {
    this.state ??= await this.ctx.storage.get<ShardDay>('day');
    if (!this.state || this.state.day < day) return { day, spent: 0, reserved: 0 };
    return this.state;
  }

  private save(state: ShardDay): void {
    this.state = state;
    void this.ctx.storage.put('day', state, { allowUnconfirmed: true });
  }
}
