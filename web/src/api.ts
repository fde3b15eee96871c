/**
 * The only place that talks to the API. The access token lives in this module's memory and
 * nowhere else (no storage an injected script could read later); the HttpOnly refresh cookie,
 * which scripts cannot read at all, renews it on page load, shortly before it expires, and once
 * after a 401.
 */
export type Role = 'admin' | 'moderator' | 'user' | 'viewer';

export type User = {
  id: string;
  email: string;
  username: string;
  fullName: string | null;
  role: Role;
  isActive: boolean;
  isLocked: boolean;
  emailVerified: boolean;
  mfaEnabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
};

export type Page<T> = { items: T[]; page: number; pageSize: number; total: number };

type TokenResponse = { accessToken: string; tokenType: 'Bearer'; expiresIn: number };

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds, from `Retry-After` on 429s. */
    readonly retryAfter: number | null = null,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

let accessToken: string | null = null;
let renewTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | null = null;
const signedOutListeners = new Set<() => void>();

/** Called when a session ends without the user asking (refresh refused). */
export function onSignedOut(listener: () => void): void {
  signedOutListeners.add(listener);
}

export const isSignedIn = () => accessToken !== null;

/**
 * A flag (never the token) remembering that this browser probably holds a refresh cookie, so a
 * first visit does not start with a refresh request that can only fail.
 */
const HINT = 'support.signedIn';
const hint = {
  get: () => localStorage.getItem(HINT) === '1',
  set: (on: boolean) => (on ? localStorage.setItem(HINT, '1') : localStorage.removeItem(HINT)),
};
export const maybeSignedIn = hint.get;

function setToken(token: TokenResponse): void {
  accessToken = token.accessToken;
  hint.set(true);
  clearTimeout(renewTimer);
  // Renew a minute early (or at 80% for short lifetimes) so a request never carries a dead token.
  const lead = Math.min(60, token.expiresIn * 0.2);
  renewTimer = setTimeout(() => void refreshSession(), Math.max(5, token.expiresIn - lead) * 1000);
}

function dropSession(notify: boolean): void {
  const had = accessToken !== null;
  accessToken = null;
  hint.set(false);
  clearTimeout(renewTimer);
  if (notify && had) for (const listener of signedOutListeners) listener();
}

/**
 * Trades the refresh cookie for a new access token. Concurrent callers share one request, and
 * other tabs wait their turn (Web Locks): the server rotates the cookie on every use, and a second
 * request with the old one would be taken for token theft and end the session everywhere. Inside
 * the lock, the cookie jar already holds whatever the previous tab received.
 */
export function refreshSession(): Promise<boolean> {
  const run = async (): Promise<boolean> =>
    navigator.locks ? await navigator.locks.request('support-chat-refresh', refreshOnce) : await refreshOnce();
  if (refreshing) return refreshing;
  const pending = run().finally(() => {
    refreshing = null;
  });
  refreshing = pending;
  return pending;
}

async function refreshOnce(): Promise<boolean> {
  try {
    const res = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
    });
    if (!res.ok) {
      dropSession(true);
      return false;
    }
    setToken((await res.json()) as TokenResponse);
    return true;
  } catch {
    // Offline or the server is down: keep the current token, if any, until it really fails.
    return accessToken !== null;
  }
}

/** What a first factor leads to: signed in, or a second step that needs this `mfaToken`. */
export type SignInStep =
  | { kind: 'signed-in' }
  | { kind: 'mfa'; mfaToken: string }
  | { kind: 'enroll'; mfaToken: string };

type SignInAnswer =
  | TokenResponse
  | { mfaRequired: true; mfaToken: string }
  | { mfaEnrollmentRequired: true; mfaToken: string };

function signInStep(answer: SignInAnswer): SignInStep {
  if ('mfaRequired' in answer) return { kind: 'mfa', mfaToken: answer.mfaToken };
  if ('mfaEnrollmentRequired' in answer) return { kind: 'enroll', mfaToken: answer.mfaToken };
  setToken(answer);
  return { kind: 'signed-in' };
}

export async function login(email: string, password: string): Promise<SignInStep> {
  return signInStep(await request<SignInAnswer>('POST', '/api/v1/auth/login', { email, password }, { auth: false }));
}

/** The one-time link mailed past the account-wide failure threshold. */
export async function loginWithLink(token: string): Promise<SignInStep> {
  return signInStep(await request<SignInAnswer>('POST', '/api/v1/auth/login/link', { token }, { auth: false }));
}

export async function verifySecondFactor(mfaToken: string, code: string): Promise<void> {
  setToken(await request<TokenResponse>('POST', '/api/v1/auth/mfa/verify', { mfaToken, code }, { auth: false }));
}

export type TotpSetup = { secret: string; otpauthUri: string };

/** Signed in, or (`mfaToken`) enrolling at sign-in because the role requires 2FA. */
export const setupTotp = (mfaToken?: string) =>
  request<TotpSetup>('POST', '/api/v1/auth/mfa/totp/setup', mfaToken ? { mfaToken } : {}, { auth: !mfaToken });

export async function enableTotp(code: string, mfaToken?: string): Promise<string[]> {
  const answer = await request<{ backupCodes: string[] } & Partial<TokenResponse>>(
    'POST',
    '/api/v1/auth/mfa/totp/enable',
    mfaToken ? { code, mfaToken } : { code },
    { auth: !mfaToken },
  );
  if (answer.accessToken && answer.expiresIn) {
    setToken({ accessToken: answer.accessToken, tokenType: 'Bearer', expiresIn: answer.expiresIn });
  }
  return answer.backupCodes;
}

export async function logout(): Promise<void> {
  try {
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      credentials: 'same-origin',
    });
  } finally {
    dropSession(false);
  }
}

type RequestOptions = { auth?: boolean; signal?: AbortSignal; accept?: string };

/**
 * Sends a request with the access token. A 401 gets one silent refresh and one retry; the
 * response is returned raw so streaming callers can read the body themselves.
 */
export async function send(method: string, path: string, body?: unknown, options: RequestOptions = {}) {
  const { auth = true, signal, accept = 'application/json' } = options;
  const attempt = () => {
    const headers: Record<string, string> = { Accept: accept };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && accessToken) headers.Authorization = `Bearer ${accessToken}`;
    return fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      credentials: 'same-origin',
      signal: signal ?? null,
    });
  };
  let res = await attempt();
  if (res.status === 401 && auth && (await refreshSession())) res = await attempt();
  if (!res.ok) throw await toApiError(res);
  return res;
}

/** `send` for JSON answers (204 gives `undefined`). */
export async function request<T>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
  const res = await send(method, path, body, options);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export const get = <T>(path: string) => request<T>('GET', path);

async function toApiError(res: Response): Promise<ApiError> {
  const retry = Number.parseInt(res.headers.get('Retry-After') ?? '', 10);
  const retryAfter = Number.isFinite(retry) ? retry : null;
  try {
    const { error } = (await res.json()) as {
      error: { code: string; message: string; details?: { path: string; message: string }[] };
    };
    return new ApiError(res.status, error.code, error.message, retryAfter, error.details ?? []);
  } catch {
    return new ApiError(res.status, 'HTTP_ERROR', `The server answered ${res.status}. Please try again.`, retryAfter);
  }
}

/** Query strings from plain objects; empty values are left out. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * A multipart upload with progress (fetch reports none for request bodies, XMLHttpRequest does).
 * Same token rules as `send`: one silent refresh and one retry after a 401.
 */
export async function upload<T>(
  method: 'POST' | 'PUT',
  path: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<T> {
  const attempt = () =>
    new Promise<{ status: number; text: string; retryAfter: string | null }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, path);
      xhr.setRequestHeader('Accept', 'application/json');
      if (accessToken) xhr.setRequestHeader('Authorization', `Bearer ${accessToken}`);
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      });
      xhr.addEventListener('load', () =>
        resolve({ status: xhr.status, text: xhr.responseText, retryAfter: xhr.getResponseHeader('Retry-After') }),
      );
      xhr.addEventListener('error', () => reject(new TypeError('network error')));
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
  let res = await attempt();
  if (res.status === 401 && (await refreshSession())) res = await attempt();
  const response = new Response(res.text || null, {
    status: res.status,
    headers: res.retryAfter ? { 'Retry-After': res.retryAfter } : {},
  });
  if (!response.ok) throw await toApiError(response);
  return (await response.json()) as T;
}
