import { env } from 'cloudflare:workers';
import { parseConfig } from '../../src/config';
import { promptTokenBound } from '../../src/modules/chat/prompt';
import { bearer } from './auth';
import { callerWith } from './http';
import { uniqueIp } from './logs';

/** POST /api/v1/chat as `token`, under configuration overrides, each request from a fresh IP. */
export const askWith = (overrides: Record<string, string>) => {
  const send = callerWith(overrides);
  return (token: string, body: Record<string, unknown>) =>
    send('/api/v1/chat', {
      method: 'POST',
      headers: { ...bearer(token), 'Content-Type': 'application/json', 'CF-Connecting-IP': uniqueIp() },
      body: JSON.stringify(body),
    });
};

/** Settings that keep a turn's reservation small, and that reservation for `message`. */
export function smallTurns(message: string) {
  const small = { CHAT_HISTORY_TOKEN_BUDGET: '0', CHAT_MAX_TOKENS: '64' };
  const { chat } = parseConfig({ ...env, ...small });
  return { small, reservation: promptTokenBound(chat.persona, 0, message) + 64 };
}
