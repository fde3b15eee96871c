export type DeadlineOptions = {
  /** The client's request: when it goes away, so does the upstream call. */
  callerSignal?: AbortSignal | undefined;
  firstTokenTimeoutMs: number;
  totalTimeoutMs: number;
};

/**
 * The one AbortSignal an upstream call runs under. It fires when the caller aborts, when no token
 * has arrived within the first-token budget (keep-alive comments do not count: DeepSeek can send
 * them for minutes while a request waits in its queue), or when the total budget is spent.
 */
export class UpstreamDeadline {
  readonly signal: AbortSignal;
  /** Which budget ran out, if one did. */
  timedOut: 'first-token' | 'total' | undefined;
  /** dispose() ran: the call is over, and anything failing after this is an echo of that. */
  released = false;
  private readonly controller = new AbortController();
  private firstTokenTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly totalTimer: ReturnType<typeof setTimeout>;
  private readonly onCallerAbort: () => void;
  private readonly aborted: Promise<never>;

  constructor(private readonly options: DeadlineOptions) {
    this.signal = this.controller.signal;
    this.onCallerAbort = () => this.controller.abort(options.callerSignal?.reason);
    if (options.callerSignal?.aborted) this.onCallerAbort();
    else options.callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.firstTokenTimer = setTimeout(() => this.expire('first-token'), options.firstTokenTimeoutMs);
    this.totalTimer = setTimeout(() => this.expire('total'), options.totalTimeoutMs);
    this.aborted = new Promise<never>((_, reject) => {
      if (this.signal.aborted) reject(this.signal.reason);
      else this.signal.addEventListener('abort', () => reject(this.signal.reason), { once: true });
    });
    // Only ever awaited through race(); without this an abort nobody races would be "unhandled".
    this.aborted.catch(() => {});
  }

  /** The first real token (or a finish) arrived: only the total budget applies from now on. */
  firstTokenArrived(): void {
    this.stopFirstTokenClock();
  }

  get waitingForFirstToken(): boolean {
    return this.firstTokenTimer !== null;
  }

  abortedByCaller(): boolean {
    return this.timedOut === undefined && this.options.callerSignal?.aborted === true;
  }

  /**
   * Settles like `promise`, or rejects as soon as the deadline fires: an injected or misbehaving
   * fetch that ignores its signal still cannot hold us past a budget.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.aborted]);
  }

  /** Resolves after `ms` unless the deadline fires first (then rejects). */
  sleep(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const slept = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return this.race(slept).finally(() => {
      if (timer !== null) clearTimeout(timer);
    });
  }

  /** Ends the call: aborts the upstream fetch if still open and releases the timers and listener. */
  dispose(): void {
    this.released = true;
    this.stopFirstTokenClock();
    clearTimeout(this.totalTimer);
    this.options.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    if (!this.signal.aborted) this.controller.abort(new Error('upstream call finished'));
  }

  private stopFirstTokenClock(): void {
    if (this.firstTokenTimer !== null) clearTimeout(this.firstTokenTimer);
    this.firstTokenTimer = null;
  }

  private expire(kind: 'first-token' | 'total'): void {
    if (this.signal.aborted) return;
    this.timedOut = kind;
    this.controller.abort(new Error(`upstream ${kind} timeout`));
  }
}
