// @ts-check
// Serves a web-standard fetch handler from Node's http module, so code written for workerd (the fake
// DeepSeek) runs unchanged on a laptop. Streams both ways without buffering the response, and aborts
// the Request's signal when the client disconnects, as workerd does.
import http from 'node:http';

// The fake and bench helpers never need bigger request bodies; refusing them bounds memory.
const maxBodyBytes = 1024 * 1024;

/**
 * @param {(request: Request) => Promise<Response>} handler
 * @param {{ port: number, host?: string }} options
 * @returns {Promise<http.Server>} once listening
 */
export function serveFetch(handler, { port, host = '127.0.0.1' }) {
  const server = http.createServer(async (req, res) => {
    const abort = new AbortController();
    // 'close' on the response fires after a normal end too; only an unfinished response means the client left.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    try {
      const body = await readBody(req);
      if (body === undefined) {
        res.writeHead(413).end();
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(name, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      }
      const request = new Request(`http://${req.headers.host ?? host}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        body: body.length > 0 ? new Uint8Array(body) : undefined,
        signal: abort.signal,
      });
      const response = await handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.flushHeaders();
      await pipeBody(response, res, abort.signal);
    } catch (error) {
      if (abort.signal.aborted) return;
      console.error('fake server error:', error);
      if (!res.headersSent) res.writeHead(500);
      res.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** @param {http.IncomingMessage} req @returns {Promise<Buffer | undefined>} undefined when too large */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** @param {Response} response @param {http.ServerResponse} res @param {AbortSignal} signal */
async function pipeBody(response, res, signal) {
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  signal.addEventListener('abort', () => reader.cancel().catch(() => {}), { once: true });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // Respect the socket's backpressure instead of queueing a whole stream in memory.
    if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}
