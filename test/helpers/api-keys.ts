import { bearer, type Session } from './auth';
import { call, postJson } from './http';

export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  scopes: string[];
  models: string[] | null;
  requestsPerMinute: number;
  lastUsedAt: string | null;
  revokedAt: string | null;
  previousSecretExpiresAt: string | null;
  usageToday: {
    requests: number;
    promptTokens: number;
    completionTokens: number;
    cachedTokens: number;
    refusals: number;
  };
};

/** Creates an API key for a signed-in user; returns the secret (shown once) and the key's view. */
export async function createKey(owner: Session, body: Record<string, unknown> = {}) {
  const res = await postJson('/api/v1/api-keys', { name: 'test key', ...body }, bearer(owner.accessToken));
  if (res.status !== 201) throw new Error(`create key failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { key: string; apiKey: ApiKeyView };
}

export const withKey = (key: string, headers: Record<string, string> = {}) => ({ 'X-API-Key': key, ...headers });

/** A GET (or other body-less request) made with an API key. */
export const callWithKey = (path: string, key: string, init: RequestInit = {}) =>
  call(path, { ...init, headers: { ...withKey(key), ...(init.headers as Record<string, string> | undefined) } });

export const revoke = (owner: Session, id: string) =>
  call(`/api/v1/api-keys/${id}`, { method: 'DELETE', headers: bearer(owner.accessToken) });

export const rotate = (owner: Session, id: string, graceSeconds: number) =>
  postJson(`/api/v1/api-keys/${id}/rotate`, { graceSeconds }, bearer(owner.accessToken));
