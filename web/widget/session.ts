import { DUMMY_TURNSTILE_TOKEN, turnstileToken } from './turnstile';

type Identity = { id: string; email: string; expires: number; signature: string };
type Stored = { visitorToken: string };

/**
 * The visitor's guest session, all inside the frame: the visitor token in the frame's own storage
 * (partitioned per host site by the browser) and, for browsers that block third-party storage, in the
 * partitioned HttpOnly cookie the service sets; the short access token in memory only. A returning
 * visitor renews (with the stored token, else the cookie); a new one passes Turnstile first.
 */
export class GuestSession {
  private accessToken: string | undefined;
  private stored: Stored | undefined;
  private identity: Identity | undefined;
  private readonly key: string;

  constructor(
    siteId: string,
    private readonly turnstile: { siteKey: string; scriptUrl: string | null; action: string },
  ) {
    this.key = `support-widget:${siteId}`;
    try {
      const raw = localStorage.getItem(this.key);
      this.stored = raw ? (JSON.parse(raw) as Stored) : undefined;
    } catch {
      this.stored = undefined;
    }
  }

  get ready(): boolean {
    return this.accessToken !== undefined;
  }

  /** The conversation this frame continues (the visitor's newest, once the session is up). */
  conversationId: string | undefined;

  /** A new identity from the host page: the next token carries it, if the server verifies it. */
  identify(identity: Identity): void {
    this.identity = identity;
    if (this.accessToken) this.accessToken = undefined;
  }

  async ensure(): Promise<void> {
    if (this.accessToken) return;
    if (await this.renew()) return;
    const token = this.turnstile.scriptUrl
      ? await turnstileToken(this.turnstile.scriptUrl, this.turnstile.siteKey, this.turnstile.action)
      : DUMMY_TURNSTILE_TOKEN;
    const siteId = this.key.slice('support-widget:'.length);
    const res = await fetch('/api/v1/guest/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ siteId, turnstileToken: token, ...(this.identity ? { identity: this.identity } : {}) }),
    });
    const body = (await res.json()) as { accessToken?: string; visitorToken?: string; error?: { message: string } };
    if (!res.ok || !body.accessToken || !body.visitorToken) {
      throw new Error(body.error?.message ?? 'The chat could not start. Try again.');
    }
    this.accessToken = body.accessToken;
    this.stored = { visitorToken: body.visitorToken };
    this.save();
  }

  /** A fetch with the access token; an expired one is renewed once. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    await this.ensure();
    const call = () =>
      fetch(path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${this.accessToken}` },
      });
    const res = await call();
    if (res.status !== 401) return res;
    this.accessToken = undefined;
    await this.ensure();
    return call();
  }

  private async renew(): Promise<boolean> {
    const res = await fetch('/api/v1/guest/sessions/renew', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        visitorToken: this.stored?.visitorToken,
        ...(this.identity ? { identity: this.identity } : {}),
      }),
    });
    if (!res.ok) {
      // Expired or unknown: start over as a new visitor.
      this.stored = undefined;
      this.save();
      return false;
    }
    this.accessToken = ((await res.json()) as { accessToken: string }).accessToken;
    return true;
  }

  private save(): void {
    try {
      if (this.stored) localStorage.setItem(this.key, JSON.stringify(this.stored));
      else localStorage.removeItem(this.key);
    } catch {
      // Storage blocked: the session lives as long as the frame.
    }
  }
}
