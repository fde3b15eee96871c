// A local stand-in for Upstash Redis: speaks Upstash's REST protocol (as @upstash/redis uses it)
// to a real redis-server over RESP. For tests, `npm run dev:upstash` and benchmarks; never deploy it.
//
//   node scripts/upstash-bridge.mjs --redis-port 6379 [--port 8079] [--token secret]
//
// Protocol: POST / with a JSON command array -> {"result": ...}; POST /pipeline and /multi-exec with
// an array of command arrays -> [{"result"} | {"error"}, ...]; errors {"error": "..."} with HTTP 400;
// `Authorization: Bearer <token>` or 401; with `Upstash-Encoding: base64` every string in a result
// (nested ones too) is base64. Scripts starting `#!lua flags=...` lose the flags stock Redis does not
// know (Upstash's `allow-key-locking`), and EVALSHA of the original text's SHA still finds them.
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';

class RedisError extends Error {}

/** One pipelined RESP2 connection: commands go out in order, replies come back in order. */
class RespConnection {
  #socket;
  #buffer = Buffer.alloc(0);
  #waiting = [];
  #closed = null;

  constructor(port) {
    this.#socket = net.connect(port, '127.0.0.1');
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk) => this.#receive(chunk));
    const fail = (error) => {
      this.#closed = error ?? new Error('Redis connection closed');
      for (const { reject } of this.#waiting.splice(0)) reject(this.#closed);
    };
    this.#socket.on('error', fail);
    this.#socket.on('close', () => fail());
  }

  /** Writes all commands in one go, so nothing from another request can land between them. */
  send(commands) {
    if (this.#closed) return commands.map(() => Promise.reject(this.#closed));
    const payload = commands.map(encodeCommand);
    const replies = commands.map(() => new Promise((resolve, reject) => this.#waiting.push({ resolve, reject })));
    this.#socket.write(Buffer.concat(payload));
    return replies;
  }

  close() {
    this.#socket.end();
  }

  #receive(chunk) {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    for (;;) {
      const parsed = parseReply(this.#buffer, 0);
      if (!parsed) return;
      this.#buffer = this.#buffer.subarray(parsed.next);
      this.#waiting.shift()?.resolve(parsed.value);
    }
  }
}

function encodeCommand(args) {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) {
    const bytes = Buffer.from(arg);
    parts.push(`$${bytes.length}\r\n`, bytes, '\r\n');
  }
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

/** Parses one RESP2 reply at `offset`; `null` until the buffer holds all of it. */
function parseReply(buf, offset) {
  const end = buf.indexOf('\r\n', offset);
  if (end === -1) return null;
  const type = String.fromCharCode(buf[offset]);
  const line = buf.toString('utf8', offset + 1, end);
  const next = end + 2;
  switch (type) {
    case '+':
      return { value: { status: line }, next };
    case '-':
      return { value: new RedisError(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (buf.length < next + length + 2) return null;
      return { value: buf.subarray(next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, at);
        if (!item) return null;
        items.push(item.value);
        at = item.next;
      }
      return { value: items, next: at };
    }
    default:
      throw new Error(`Unexpected RESP type ${JSON.stringify(type)}`);
  }
}

/** RESP value -> JSON value; errors nested in arrays (EXEC) become their message. */
function toJson(value, base64) {
  if (value === null || typeof value === 'number') return value;
  if (value instanceof RedisError) return value.message;
  if (Array.isArray(value)) return value.map((item) => toJson(item, base64));
  if (Buffer.isBuffer(value)) return base64 ? value.toString('base64') : value.toString('utf8');
  // Status replies: @upstash/redis special-cases a bare "OK"; everything else is encoded like data.
  if (value.status === 'OK' || !base64) return value.status;
  return Buffer.from(value.status).toString('base64');
}

const sha1 = (text) => createHash('sha1').update(text).digest('hex');
const knownFlags = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);

/** `#!lua flags=allow-key-locking,no-writes` -> `#!lua flags=no-writes`; other scripts unchanged. */
function stripUnknownFlags(script) {
  const match = /^#!lua flags=([^\n]*)/.exec(script);
  if (!match) return script;
  const flags = match[1]
    .split(',')
    .map((f) => f.trim())
    .filter((f) => knownFlags.has(f));
  const shebang = flags.length ? `#!lua flags=${flags.join(',')}` : '#!lua';
  return shebang + script.slice(match[0].length);
}

export function createBridge({ redisPort, token }) {
  const redis = new RespConnection(redisPort);
  /** SHA of a script as the client wrote it -> SHA of the text Redis actually holds. */
  const shaMap = new Map();

  const remember = (script) => {
    const stripped = stripUnknownFlags(script);
    if (stripped !== script) shaMap.set(sha1(script), sha1(stripped));
    return stripped;
  };

  /** Rewrites script commands for stock Redis; `reply` maps Redis's answer back if needed. */
  function translate(command) {
    const args = command.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg)));
    const name = args[0]?.toLowerCase();
    if ((name === 'eval' || name === 'eval_ro') && args.length > 1) {
      args[1] = remember(args[1]);
    } else if ((name === 'evalsha' || name === 'evalsha_ro') && args.length > 1) {
      args[1] = shaMap.get(args[1].toLowerCase()) ?? args[1];
    } else if (name === 'script' && args[1]?.toLowerCase() === 'load' && args.length > 2) {
      const original = args[2];
      args[2] = remember(original);
      // Answer with the SHA of what the client sent, as Upstash would.
      return { args, reply: (value) => (value instanceof RedisError ? value : Buffer.from(sha1(original))) };
    } else if (name === 'script' && args[1]?.toLowerCase() === 'exists') {
      for (let i = 2; i < args.length; i++) args[i] = shaMap.get(args[i].toLowerCase()) ?? args[i];
    }
    return { args, reply: (value) => value };
  }

  function validCommands(body) {
    return Array.isArray(body) && body.length > 0 && body.every((c) => Array.isArray(c) && c.length > 0);
  }

  async function handle(path, body, base64) {
    if (path === '/') {
      if (!validCommands([body])) return [400, { error: 'ERR a command is a non-empty JSON array' }];
      const { args, reply } = translate(body);
      const [value] = redis.send([args]);
      const result = reply(await value);
      if (result instanceof RedisError) return [400, { error: result.message }];
      return [200, { result: toJson(result, base64) }];
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!validCommands(body)) return [400, { error: 'ERR the body must be an array of command arrays' }];
      const translated = body.map(translate);
      const items = (result) =>
        result instanceof RedisError ? { error: result.message } : { result: toJson(result, base64) };
      if (path === '/pipeline') {
        const replies = await Promise.all(redis.send(translated.map((t) => t.args)));
        return [200, replies.map((value, i) => items(translated[i].reply(value)))];
      }
      const replies = await Promise.all(redis.send([['MULTI'], ...translated.map((t) => t.args), ['EXEC']]));
      const exec = replies.at(-1);
      if (exec instanceof RedisError) return [400, { error: exec.message }];
      if (exec === null) return [400, { error: 'ERR transaction aborted' }];
      return [200, exec.map((value, i) => items(translated[i].reply(value)))];
    }
    return [404, { error: 'ERR unknown path' }];
  }

  const expected = Buffer.from(`Bearer ${token}`);
  const authorised = (header) => {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const server = http.createServer((req, res) => {
    const send = (status, payload) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (!authorised(req.headers.authorization)) return send(401, { error: 'Unauthorized' });
    if (req.method !== 'POST') return send(405, { error: 'ERR use POST' });
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 10 * 1024 * 1024) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', async () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { error: 'ERR the body is not JSON' });
      }
      const base64 = req.headers['upstash-encoding']?.toLowerCase() === 'base64';
      try {
        const [status, payload] = await handle(new URL(req.url, 'http://bridge').pathname, body, base64);
        send(status, payload);
      } catch (error) {
        send(500, { error: `ERR bridge: ${error.message}` });
      }
    });
  });

  return {
    /** Resolves with the bridge's URL once it listens on 127.0.0.1:`port` (0 = any free port). */
    listen: (port = 0) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
      }),
    close: () =>
      new Promise((resolve) => {
        redis.close();
        server.closeIdleConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      'redis-port': { type: 'string', default: '6379' },
      port: { type: 'string', default: '8079' },
      token: { type: 'string', default: process.env.UPSTASH_REDIS_REST_TOKEN ?? 'local-dev-token' },
    },
  });
  const bridge = createBridge({ redisPort: Number(values['redis-port']), token: values.token });
  const url = await bridge.listen(Number(values.port));
  console.log(`Upstash bridge on ${url} -> redis 127.0.0.1:${values['redis-port']}`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => bridge.close().then(() => process.exit(0)));
}
