/** What one verification needs besides the token: where the challenge must have run, and for what. */
export type TurnstileCheck = {
  token: string;
  remoteIp?: string | undefined;
  /** Hostnames the challenge may have been solved on (the widget frame's). */
  expectedHostnames: readonly string[];
  /** The widget's action; empty: not checked. */
  expectedAction: string;
};

/**
 * `invalid`: not a token (or a forged one); `spent`: already verified once (or older than 300 s);
 * `hostname`/`action`: real, but solved somewhere else or for something else; `unavailable`: siteverify
 * could not answer; `misconfigured`: siteverify refused our secret (an operator problem, logged).
 */
export type TurnstileRefusal = 'invalid' | 'spent' | 'hostname' | 'action' | 'unavailable' | 'misconfigured';

export type TurnstileOutcome = { ok: true } | { ok: false; reason: TurnstileRefusal };

/** A bot check behind one method, so the real siteverify client and any other backend are interchangeable. */
export interface TurnstileVerifier {
  verify(check: TurnstileCheck): Promise<TurnstileOutcome>;
}
