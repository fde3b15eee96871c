import { DurableObject } from 'cloudflare:workers';
import { and, count, eq, gt } from 'drizzle-orm';
import { createDb } from '../../db/client';
import { conversations, refreshTokens, users } from '../../db/schema';
import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import { slideWindow, type WindowCounts } from '../../lib/rate-limit/sliding-window';
import { AccountCache, type AccountState } from './account-cache';
import type {
  AdmitRequest,
  AdmitResult,
  KeyAdmission,
  KeyStatus,
  SettleRequest,
  TurnLease,
  VisitorAdmitRequest,
} from './admission.types';
import { KeyLedger, type StoredKey } from './key-ledger';
import { KeyUsage, type KeyUsageDelta, usageStatements } from './key-usage';
import { type LiveSession, LiveSessions } from './live-sessions';
import { TurnLedger } from './turn-ledger';

/** One audit row per key and kind of refusal per this long: a client hammering past its limit writes no flood. */
const KEY_REFUSAL_AUDIT_MS = 60_000;
const utcDayOf = (now: number) => new Date(now).toISOString().slice(0, 10);

// Counters are written without waiting for confirmation: a crash may forget the last few counts, but
// no response waits on storage (the output gate would hold every answer until the write is durable).
const unconfirmed = { allowUnconfirmed: true } as const;

/**
 * One Durable Object per caller: a user (named by the user id) or a guest (`visitor:<visitor id>`, see
 * `admitVisitor`). everything that must be exact about a caller
 * wherever the request lands, answered in one call. `admit` checks the account (active, token version,
 * session not ended), counts the caller's request against their limit and, for a chat turn, opens it in
 * the turn ledger (stream slot, conversation order, token reservation, message quota). `settle` ends a
 * turn. D1 is read only when the account copy is stale or was changed (see AccountCache).
 */
export class AdmissionObject extends DurableObject<Env> {
  private account: AccountCache | undefined;
  private userId: string | undefined;
  /** Set instead of `userId` when the object is a guest's (`admitVisitor`). */
  private visitorId: string | undefined;
  private sessionWindowMs = 0;
  private rate: WindowCounts | undefined;
  private rateLoaded = false;
  private readonly ledger = new TurnLedger({
    get: () => this.ctx.storage.get('day'),
    put: (counts) => void this.ctx.storage.put('day', counts, unconfirmed),
    countConversations: async () => {
      const owner =
        this.userId !== undefined
          ? eq(conversations.userId, this.userId)
          : this.visitorId !== undefined
            ? eq(conversations.visitorId, this.visitorId)
            : undefined;
      if (owner === undefined) return 0;
      const [row] = await createDb(this.env.DB).select({ n: count() }).from(conversations).where(owner);
      return row?.n ?? 0;
    },
  });
  private readonly keys = new KeyLedger({
    get: (keyId) => this.ctx.storage.get<StoredKey>(`key:${keyId}`),
    put: (keyId, stored, confirmed) => this.ctx.storage.put(`key:${keyId}`, stored, confirmed ? {} : unconfirmed),
  });
  private keyUsage: KeyUsage | undefined;
  private usageFlushMs = 30_000;
  private readonly refusalAuditedAt = new Map<string, number>();
  private readonly live = new LiveSessions(this.ctx.storage);
  /** Counts account changes: a check that straddled one is made again. */
  private changes = 0;

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const account = this.accountOf(request.userId);
    if (!account) {
      // A programming error (the stub was made for another user), answered as a refusal, never a pass.
      log('error', 'admission object asked about a user it is not named after');
      return { ok: false, refusal: 'account' };
    }
    this.sessionWindowMs = request.sessionWindowMs;
    if (request.key) return this.admitKey(request, request.key, account);
    const state = await account.admits(request.tokenVersion, request.sessionId, request.accountMaxAgeMs);
    if (!state) {
      // Admission learned the session or account is over (perhaps the change's own notice never arrived):
      // its live sockets close now too, not only on the next notice.
      this.ctx.waitUntil(this.closeEndedLive());
      return { ok: false, refusal: 'account' };
    }
    const rate = await this.count(request.rate.limit, request.rate.windowMs);
    if (!rate.success) return { ok: false, refusal: 'rate', rate };
    if (!request.turn) return { ok: true, rate };
    // Open registration must not multiply the token budget with throwaway addresses.
    if (!state.emailVerified) return { ok: false, refusal: 'unverified', rate };
    const opened = await this.ledger.open(request.turn);
    return 'lease' in opened ? { ok: true, rate, lease: opened.lease } : { ok: false, refusal: opened.refusal, rate };
  }

  /**
   * A guest's admission: the visitor's per-minute limit and, for a turn, the same ledger as a user's
   * (stream slot, conversation order, reservation against the visitor's day, message quota), with the
   * limits of the visitor's site. Only an object named after this visitor answers.
   */
  async admitVisitor(request: VisitorAdmitRequest): Promise<AdmitResult> {
    if (
      this.userId !== undefined ||
      !this.env.ADMISSION.idFromName(`visitor:${request.visitorId}`).equals(this.ctx.id)
    ) {
      log('error', 'admission object asked about a visitor it is not named after');
      return { ok: false, refusal: 'account' };
    }
    this.visitorId = request.visitorId;
    const rate = await this.count(request.rate.limit, request.rate.windowMs);
    if (!rate.success) return { ok: false, refusal: 'rate', rate };
    if (!request.turn) return { ok: true, rate };
    const opened = await this.ledger.open(request.turn);
    return 'lease' in opened ? { ok: true, rate, lease: opened.lease } : { ok: false, refusal: opened.refusal, rate };
  }

  /**
   * An API key acting for this user: the owner's account (active, the role the key's copy was checked
   * against), the key's copy current, the key's own request window, the owner's, then for a turn the
   * owner's ledger and the key's own slot, tokens per minute and daily budget. A key's spend is the
   * owner's spend too. Refusals are counted in the key's usage.
   */
  private async admitKey(request: AdmitRequest, key: KeyAdmission, account: AccountCache): Promise<AdmitResult> {
    this.usageFlushMs = key.usageFlushMs;
    const [owner] = await Promise.all([account.current(request.accountMaxAgeMs), this.keys.load(key.id), this.usage()]);
    if (!owner.exists || !owner.isActive) return { ok: false, refusal: 'account' };
    if (owner.role !== key.ownerRole) return { ok: false, refusal: 'stale' };
    const now = Date.now();
    const day = request.turn?.day ?? utcDayOf(now);
    const admitted = this.keys.admit(key);
    if ('refusal' in admitted) return this.refuseKey(key, day, admitted.refusal, admitted);
    const rate = await this.count(request.rate.limit, request.rate.windowMs);
    if (!rate.success) return this.refuseKey(key, day, 'rate', { rate, keyRate: admitted.keyRate });
    let lease: TurnLease | undefined;
    if (request.turn) {
      // A key acts for its owner: an unconfirmed address gets no chat through a key either.
      if (!owner.emailVerified) return this.refuseKey(key, day, 'unverified', { rate, keyRate: admitted.keyRate });
      const opened = await this.ledger.open(request.turn);
      if (!('lease' in opened)) return this.refuseKey(key, day, opened.refusal, { rate, keyRate: admitted.keyRate });
      const refused = this.keys.openTurn(
        key,
        { id: opened.lease.id, expiresAt: Date.now() + request.turn.leaseTtlMs },
        day,
        opened.lease.reserved,
      );
      if (refused) {
        await this.ledger.settle(opened.lease.id, day, 0, true);
        return this.refuseKey(key, day, refused.refusal, { rate, keyRate: admitted.keyRate, ...refused });
      }
      lease = opened.lease;
    }
    this.keyUsageOf().request(key.id, day, now);
    this.scheduleFlush();
    return { ok: true, rate, keyRate: admitted.keyRate, ...(lease ? { lease } : {}) };
  }

  private refuseKey(
    key: KeyAdmission,
    day: string,
    refusal: Extract<AdmitResult, { ok: false }>['refusal'],
    info: Omit<Extract<AdmitResult, { ok: false }>, 'ok' | 'refusal'>,
  ): AdmitResult {
    if (refusal === 'stale') return { ok: false, refusal };
    this.keyUsageOf().refusal(key.id, day);
    this.scheduleFlush();
    const now = Date.now();
    const seen = `${key.id}|${refusal}`;
    const audit = (this.refusalAuditedAt.get(seen) ?? 0) + KEY_REFUSAL_AUDIT_MS <= now;
    if (audit) this.refusalAuditedAt.set(seen, now);
    return { ok: false, refusal, ...info, audit };
  }

  /** A key's row changed in D1 (edit, rotation, revocation): copies older than `version` are refused from now on. */
  async keyChanged(keyId: string, version: number): Promise<void> {
    await this.keys.changed(keyId, version);
  }

  /** The key's live figures for today (`GET /v1/key`). */
  async keyStatus(keyId: string, day: string): Promise<KeyStatus> {
    await this.keys.load(keyId);
    return this.keys.status(keyId, day);
  }

  /** Writes the keys' pending usage to D1 now (before a listing that shows it, and from the alarm). */
  async flushUsage(): Promise<void> {
    const usage = await this.usage();
    if (usage.size === 0) return;
    const deltas = usage.take();
    try {
      await this.env.DB.batch(usageStatements(this.env.DB, deltas));
      void this.ctx.storage.put('key-usage', usage.snapshot(), unconfirmed);
    } catch (error) {
      usage.restore(deltas);
      log('error', 'api key usage not written; kept for the next flush', errorDetail(error));
      this.scheduleFlush();
      throw error;
    }
  }

  override async alarm(): Promise<void> {
    await this.flushUsage().catch(() => {});
  }

  async settle({ lease, day, usedTokens, refundMessage = false, usage }: SettleRequest): Promise<void> {
    const keyId = this.keys.settle(lease, day, usedTokens);
    if (keyId !== undefined && usage) {
      (await this.usage()).tokens(keyId, day, usage);
      this.scheduleFlush();
    }
    return this.ledger.settle(lease, day, usedTokens, refundMessage);
  }

  /**
   * D1 now holds a new token version, status, ended session or no row at all: read it on the next call,
   * and close the live sockets of every session it no longer admits.
   */
  async accountChanged(): Promise<void> {
    this.changes++;
    this.account?.changed();
    await this.closeEndedLive();
  }

  private async closeEndedLive(): Promise<void> {
    const sessions = await this.live.all();
    await Promise.all(sessions.map((session) => this.closeIfEnded(session)));
  }

  /**
   * Whether a live socket may open for this session now — the account check of `admit`, counting
   * nothing against the user's limits — and if so, remembers the channel, so that the next account
   * change that ends the session closes the socket.
   */
  async openLive(session: LiveSession): Promise<boolean> {
    const account = this.accountOf(session.userId);
    if (!account) {
      log('error', 'admission object asked about a user it is not named after');
      return false;
    }
    this.sessionWindowMs = Math.max(this.sessionWindowMs, session.sessionWindowMs);
    for (;;) {
      const seen = this.changes;
      const open = await account.accepts(session.tokenVersion, session.sessionId, session.accountMaxAgeMs);
      // A change that landed during the read may not be in it: judge again rather than let a socket slip past.
      if (seen !== this.changes) continue;
      if (open) await this.live.remember(session);
      return open;
    }
  }

  /** The channel's last socket for this session closed. */
  async liveClosed(session: Pick<LiveSession, 'channel' | 'sessionId' | 'tokenVersion'>): Promise<void> {
    await this.live.forget(session);
  }

  private async closeIfEnded(session: LiveSession): Promise<void> {
    const account = this.accountOf(session.userId);
    this.sessionWindowMs = Math.max(this.sessionWindowMs, session.sessionWindowMs);
    if (account && (await account.accepts(session.tokenVersion, session.sessionId, session.accountMaxAgeMs))) return;
    try {
      const channel = this.env.LIVE.get(this.env.LIVE.idFromName(session.channel));
      await channel.closeFor({
        userId: session.userId,
        sessionId: session.sessionId,
        tokenVersion: session.tokenVersion,
      });
      await this.live.forget(session);
    } catch (error) {
      log('error', 'live socket of an ended session not closed; tried again on the next account change or refusal', {
        ...errorDetail(error),
      });
    }
  }

  /** The user deleted conversations: the cap counts them again from D1. */
  conversationsChanged(): void {
    this.ledger.conversationsChanged();
  }

  private async usage(): Promise<KeyUsage> {
    if (!this.keyUsage) {
      const stored = await this.ctx.storage.get<KeyUsageDelta[]>('key-usage');
      this.keyUsage ??= new KeyUsage(stored ?? []);
    }
    return this.keyUsage;
  }

  /** Loaded by `usage()` before any key request is counted. */
  private keyUsageOf(): KeyUsage {
    if (!this.keyUsage) throw new Error('key usage used before it was loaded');
    return this.keyUsage;
  }

  /** Persists the pending usage (unconfirmed) and makes sure an alarm will write it to D1. */
  private scheduleFlush(): void {
    const usage = this.keyUsage;
    if (!usage) return;
    void this.ctx.storage.put('key-usage', usage.snapshot(), unconfirmed);
    void this.ctx.storage.getAlarm().then((alarm) => {
      if (alarm === null) return this.ctx.storage.setAlarm(Date.now() + this.usageFlushMs);
    });
  }

  private async count(limit: number, windowMs: number) {
    if (!this.rateLoaded) {
      const stored = await this.ctx.storage.get<WindowCounts & { windowMs: number }>('rate');
      if (!this.rateLoaded) {
        this.rate = stored?.windowMs === windowMs ? stored : undefined;
        this.rateLoaded = true;
      }
    }
    const { result, counts } = slideWindow(this.rate, Date.now(), limit, windowMs);
    if (result.success) {
      this.rate = counts;
      void this.ctx.storage.put('rate', { ...counts, windowMs }, unconfirmed);
    }
    return result;
  }

  /** The account this object is named after; undefined for any other user id. */
  private accountOf(userId: string): AccountCache | undefined {
    if (userId !== this.userId) {
      // The id names the object; a caller passing another user's id would read the wrong row.
      if (this.userId !== undefined || !this.env.ADMISSION.idFromName(userId).equals(this.ctx.id)) return undefined;
      this.userId = userId;
    }
    if (!this.account) {
      const db = createDb(this.env.DB);
      this.account = new AccountCache(async (): Promise<AccountState> => {
        const since = new Date(Date.now() - this.sessionWindowMs);
        const [[row], ended] = await Promise.all([
          db
            .select({
              isActive: users.isActive,
              tokenVersion: users.tokenVersion,
              role: users.role,
              verifiedAt: users.emailVerifiedAt,
            })
            .from(users)
            .where(eq(users.id, userId))
            .limit(1),
          db
            .selectDistinct({ familyId: refreshTokens.familyId })
            .from(refreshTokens)
            .where(and(eq(refreshTokens.userId, userId), gt(refreshTokens.revokedAt, since))),
        ]);
        const endedSessions = new Set(ended.map((r) => r.familyId));
        return row
          ? {
              exists: true,
              isActive: row.isActive,
              tokenVersion: row.tokenVersion,
              role: row.role,
              emailVerified: row.verifiedAt !== null,
              endedSessions,
            }
          : { exists: false, isActive: false, tokenVersion: -1, emailVerified: false, endedSessions };
      });
    }
    return this.account;
  }
}
