/**
 * What the account check needs of D1: the user row (`exists: false` once deleted) and the sessions
 * ended recently enough that access tokens minted for them may still be unexpired.
 */
export type AccountState = {
  exists: boolean;
  isActive: boolean;
  tokenVersion: number;
  /** Until the owner confirms the address, the account may sign in but not start chat turns. */
  emailVerified: boolean;
  endedSessions: ReadonlySet<string>;
  /** The role the account has now; an API key's permissions follow it. */
  role?: string | undefined;
};

/**
 * A user's (isActive, tokenVersion, ended sessions) as last read from D1, held by the user's admission
 * object so that an authenticated request costs no D1 read. D1 stays the source of truth:
 * - every change made through the API tells the object (`changed()`), so it takes effect at once;
 * - a copy older than `maxAgeMs` is read again, which bounds how long a change made around the API
 *   (the admin CLI, a SQL console) can go unseen;
 * - a token newer than the copy (signed after a change this object missed) also forces a read.
 * A read that started before `changed()` may finish after it; its result answers the requests that
 * were already waiting but is never kept.
 */
export class AccountCache {
  private copy: (AccountState & { readAt: number }) | undefined;
  private reading: Promise<AccountState> | undefined;
  private generation = 0;

  constructor(
    private readonly read: () => Promise<AccountState>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a token of this version, minted for this session, may still act for the user. */
  async accepts(tokenVersion: number, sessionId: string, maxAgeMs: number): Promise<boolean> {
    return (await this.admits(tokenVersion, sessionId, maxAgeMs)) !== undefined;
  }

  /** The account as last read, if a token of this version, minted for this session, may still act for the user. */
  async admits(tokenVersion: number, sessionId: string, maxAgeMs: number): Promise<AccountState | undefined> {
    const copy = this.copy;
    // A deleted user stays deleted (ids are never reused): no token is newer than that.
    const usable =
      copy !== undefined && this.now() - copy.readAt < maxAgeMs && (tokenVersion <= copy.tokenVersion || !copy.exists);
    const account = usable ? copy : await this.readOnce();
    const accepted =
      account.exists &&
      account.isActive &&
      account.tokenVersion === tokenVersion &&
      !account.endedSessions.has(sessionId);
    return accepted ? account : undefined;
  }

  /** The account as read at most `maxAgeMs` ago (an API key has no token version to compare). */
  async current(maxAgeMs: number): Promise<AccountState> {
    const copy = this.copy;
    return copy !== undefined && this.now() - copy.readAt < maxAgeMs ? copy : await this.readOnce();
  }

  changed(): void {
    this.generation++;
    this.copy = undefined;
    this.reading = undefined;
  }

  /** Concurrent callers share one D1 read. */
  private readOnce(): Promise<AccountState> {
    if (this.reading) return this.reading;
    const generation = this.generation;
    const readAt = this.now();
    const reading = this.read()
      .then((account) => {
        if (generation === this.generation) this.copy = { ...account, readAt };
        return account;
      })
      .finally(() => {
        if (this.reading === reading) this.reading = undefined;
      });
    this.reading = reading;
    return reading;
  }
}
