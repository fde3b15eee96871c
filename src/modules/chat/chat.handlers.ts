import type { RouteHandler } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../../lib/types';
import { currentUser } from '../auth/authenticate';
import { modelsFor } from './chat.config';
import { chatDeps } from './chat.context';
import type { chat, chatConfig } from './chat.routes';
import { startChatTurn } from './chat.service';
import { collectTurn } from './collect-turn';

export const chatHandler: RouteHandler<typeof chat, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const abort = new AbortController();
  const turn = await startChatTurn(body, await chatDeps(c, abort));
  // A person has this conversation: the message is stored and delivered to them, the model is not asked.
  if ('held' in turn) return c.json(turn.held, 202);

  if (!body.stream) return c.json({ ...turn.meta, ...(await collectTurn(turn)) }, 200);

  // No onError callback: Hono's would write the raw error message into the stream.
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => abort.abort());
    await stream.writeSSE({ event: 'meta', data: JSON.stringify(turn.meta) });
    await turn.run(async ({ type, ...data }) => {
      if (!stream.aborted) await stream.writeSSE({ event: type, data: JSON.stringify(data) });
    });
  });
};

export const chatConfigHandler: RouteHandler<typeof chatConfig, AppEnv> = (c) => {
  const chat = c.get('config').chat;
  const models = modelsFor(chat, currentUser(c).role).map((m) => ({ id: m.id, default: m.id === chat.defaultModel }));
  return c.json({ models, canned: chat.upstream.canned, assistantName: chat.persona.assistantName }, 200);
};
