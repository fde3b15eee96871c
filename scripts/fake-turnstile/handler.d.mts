export declare const DUMMY_TOKEN: 'XXXX.DUMMY.TOKEN.XXXX';
export declare const TEST_SECRETS: { pass: string; fail: string; spent: string };

export type FakeTurnstileCall = { secret: string; response: string; remoteip?: string; idempotency_key?: string };

export type FakeTurnstile = {
  fetch: (request: Request) => Promise<Response>;
  /** Every siteverify call, in order, as the fake read it. */
  calls: FakeTurnstileCall[];
  /** The next `count` calls answer `status` (default 500) with internal-error. */
  failNext: (count?: number, status?: number) => void;
};

/** hostname: what passing answers report (the test keys' "example.com"); action: likewise (""). */
export declare function createFakeTurnstile(options?: { hostname?: string; action?: string }): FakeTurnstile;
