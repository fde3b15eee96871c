import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config';
import { promptTokenBound } from '../../../src/modules/chat/prompt';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { useFakeDeepSeek } from '../../helpers/chat';
import { callerWith, readError } from '../../helpers/http';
import { uniqueIp } from '../../helpers/logs';

const askWith = (overrides: Record<string, string>) => {
  const send = callerWith(overrides);
  return (token: string, body: Record<string, unknown>) =>
    send('/api/v1/chat', {
      method: 'POST',
      headers: { ...bearer(token), 'Content-Type': 'application/json', 'CF-Connecting-IP': uniqueIp() },
      body: JSON.stringify(body),
    });
};

/** Settings that keep a turn's reservation small, and that reservation for `message`. */
function smallTurns(message: string) {
  const small = { CHAT_HISTORY_TOKEN_BUDGET: '0', CHAT_MAX_TOKENS: '64' };
  const { chat } = parseConfig({ ...env, ...small });
  return { small, reservation: promptTokenBound(chat.persona, 0, message) + 64 };
}

const MODEL_QUESTION = 'Tell me about the weather on Mars';

// Its own file: the deployment ceiling's shards are shared by every test in a file (storage is per file).
describe('the deployment ceiling', () => {
  it('refunds a ceiling reservation when admission refuses the turn', async () => {
    const fake = useFakeDeepSeek();
    const [viewerLike, bob] = [await registerAndLogin(), await registerAndLogin()];
    const { small, reservation } = smallTurns(MODEL_QUESTION);
    const ceiling = { TOKEN_BUDGET_DAILY_TOTAL: String(reservation + 10), TOKEN_BUDGET_DAILY_TOTAL_SHARDS: '1' };
    // Admission refuses this caller (no messages left today) after the shard reserved for the turn.
    const refusedSend = askWith({ ...small, ...ceiling, CHAT_DAILY_MESSAGES: 'user:0' });
    for (let i = 0; i < 3; i++) {
      const refused = await refusedSend(viewerLike.accessToken, { message: MODEL_QUESTION, stream: false });
      expect((await readError(refused)).code).toBe('MESSAGE_QUOTA_EXCEEDED');
    }
    const send = askWith({ ...small, ...ceiling });
    await expect
      .poll(async () => (await send(bob.accessToken, { message: MODEL_QUESTION, stream: false })).status)
      .toBe(200);
    expect(fake.stats.requests).toBe(1);
  });
});
