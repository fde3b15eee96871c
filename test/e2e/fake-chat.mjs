// A stand-in for the chat, conversation and FAQ endpoints that other branches are building,
// speaking their agreed contract (see the issue). It sits in front of the real dev server as a
// proxy, so auth, users and stats stay real; only the missing endpoints are answered here.
// The e2e run uses it just when the dev server has no /api/v1/chat/config, so the browser
// flows for streaming, Stop and FAQ labels still run; against the real endpoints it is unused.
import { randomUUID } from 'node:crypto';
import http from 'node:http';

const CANNED =
  'Thanks for reaching out! Here is what usually helps:\n\n- **Restart** the app\n- Check your `settings` page\n- Make sure you are online\n\n' +
  'If that does not solve it, reply with more detail and we will dig in together. '.repeat(3);
const FAQ_ANSWER = 'Use **Forgot password** on the sign-in page; the link is valid for one hour.';

/** Starts the proxy on `port`, forwarding everything it does not fake to `upstream`. */
export function startFakeChat(port, upstream) {
  const conversations = new Map();
  const faqs = [];

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const body = await readBody(req);
    const json = (status, value) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Request-ID': randomUUID() });
      res.end(value === undefined ? undefined : JSON.stringify(value));
    };
    const path = url.pathname;

    if (path === '/api/v1/chat/config') {
      return json(200, { models: [{ id: 'fake-chat', default: true }], canned: true, assistantName: 'Assistant' });
    }
    if (path === '/api/v1/chat' && req.method === 'POST') {
      const input = JSON.parse(body || '{}');
      if (!input.message?.trim()) {
        return json(400, { error: { code: 'EMPTY_MESSAGE', message: 'Type a message first.', requestId: 'x' } });
      }
      return streamAnswer(res, input, conversations);
    }
    if (path === '/api/v1/conversations') {
      const items = [...conversations.values()]
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
        .map(({ messages, ...c }) => ({ ...c, messageCount: messages.length }));
      return json(200, { items, page: 1, pageSize: 50, total: items.length });
    }
    const conversationMatch = path.match(/^\/api\/v1\/conversations\/([\w-]+)$/);
    if (conversationMatch) {
      const conversation = conversations.get(conversationMatch[1]);
      if (!conversation) return json(404, { error: { code: 'NOT_FOUND', message: 'Not found.', requestId: 'x' } });
      if (req.method === 'DELETE') {
        conversations.delete(conversation.id);
        return json(204);
      }
      const { messages, ...summary } = conversation;
      return json(200, { conversation: summary, messages });
    }
    if (path === '/api/v1/faqs' && req.method === 'GET') {
      return json(200, { items: faqs, page: 1, pageSize: 20, total: faqs.length });
    }
    if (path === '/api/v1/faqs' && req.method === 'POST') {
      const now = new Date().toISOString();
      const faq = { id: randomUUID(), tags: [], published: true, ...JSON.parse(body), createdAt: now, updatedAt: now };
      faqs.unshift(faq);
      return json(201, { faq });
    }
    if (path === '/api/v1/admin/stats') {
      // Real user figures plus the chat part the stats branch will add.
      const upstreamRes = await forward(req, url, body, upstream);
      const stats = await upstreamRes.json();
      if (upstreamRes.status !== 200) return json(upstreamRes.status, stats);
      return json(200, { ...stats, chat: fakeChatStats() });
    }
    const upstreamRes = await forward(req, url, body, upstream);
    const headers = {};
    upstreamRes.headers.forEach((value, key) => {
      if (!['content-encoding', 'content-length', 'transfer-encoding', 'set-cookie'].includes(key))
        headers[key] = value;
    });
    const cookies = upstreamRes.headers.getSetCookie();
    if (cookies.length) headers['set-cookie'] = cookies;
    res.writeHead(upstreamRes.status, headers);
    res.end(Buffer.from(await upstreamRes.arrayBuffer()));
  });

  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function forward(req, url, body, upstream) {
  const headers = { ...req.headers };
  delete headers.host;
  delete headers['content-length'];
  // The dev server checks Origin on cookie endpoints; to it, the page comes from itself.
  if (headers.origin) headers.origin = upstream;
  return fetch(`${upstream}${url.pathname}${url.search}`, {
    method: req.method,
    headers,
    body: ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : body,
    redirect: 'manual',
  });
}

function streamAnswer(res, input, conversations) {
  const now = new Date().toISOString();
  let conversation = input.conversationId ? conversations.get(input.conversationId) : undefined;
  if (!conversation) {
    conversation = {
      id: randomUUID(),
      title: input.message.slice(0, 60),
      createdAt: now,
      updatedAt: now,
      messages: [],
    };
    conversations.set(conversation.id, conversation);
  }
  const isFaq = /password/i.test(input.message);
  const source = isFaq ? 'faq' : 'model';
  conversation.updatedAt = now;
  conversation.messages.push(message('user', input.message, null));
  const answer = message('assistant', '', source);
  answer.incomplete = true;
  conversation.messages.push(answer);

  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
  const send = (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('meta', { conversationId: conversation.id, messageId: answer.id, model: 'fake-chat', source });
  res.write(': keep-alive\n\n');
  // Words at a human pace, so a test can watch the answer grow and press Stop half-way.
  const words = (isFaq ? FAQ_ANSWER : CANNED).split(/(?<= )/);
  let i = 0;
  const timer = setInterval(
    () => {
      if (i < words.length) {
        answer.content += words[i];
        send('delta', { text: words[i++] });
        return;
      }
      clearInterval(timer);
      answer.incomplete = false;
      const usage = {
        promptTokens: 12,
        completionTokens: words.length,
        totalTokens: 12 + words.length,
        cacheHitTokens: 0,
      };
      send('done', { usage, finishReason: 'stop', processingMs: 5 });
      res.end();
    },
    isFaq ? 5 : 60,
  );
  // Stop in the browser aborts the fetch: keep what was sent, marked incomplete.
  res.on('close', () => clearInterval(timer));
}

function message(role, content, source) {
  return { id: randomUUID(), role, content, source, incomplete: false, createdAt: new Date().toISOString() };
}

function fakeChatStats() {
  const days = [];
  for (let d = 13; d >= 0; d--) {
    const date = new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
    const chats = 5 + ((d * 7) % 11);
    days.push({ date, promptTokens: chats * 900, completionTokens: chats * 400 + d * 50, chats });
  }
  return { conversations: 120, messages: 860, faqAnswers: 37, faqHitRate: 0.086, tokensByDay: days };
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
