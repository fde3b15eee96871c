import { describe, expect, it } from 'vitest';
import { registerAndLogin } from '../../helpers/auth';
import { useFakeDeepSeek } from '../../helpers/chat';
import { askWith, smallTurns } from '../../helpers/chat-admission';
import { readError } from '../../helpers/http';

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
