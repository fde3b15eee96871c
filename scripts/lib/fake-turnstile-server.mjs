// @ts-check
// Serves the fake Turnstile siteverify on 127.0.0.1 for `npm run dev` (wrangler.toml points
// TURNSTILE_VERIFY_URL at it), so guest chat works with no Cloudflare account and no network.
import { createFakeTurnstile } from '../fake-turnstile/handler.mjs';
import { serveFetch } from './serve-fetch.mjs';

export const fakeTurnstilePort = () => Number(process.env.FAKE_TURNSTILE_PORT ?? 8789);

/** A port already taken is assumed to be a fake started earlier, so dev goes on. */
export async function startFakeTurnstile() {
  const port = fakeTurnstilePort();
  try {
    const server = await serveFetch(createFakeTurnstile().fetch, { port });
    console.log(
      `Fake Turnstile siteverify on http://127.0.0.1:${port}/turnstile/v0/siteverify (Cloudflare's test keys; ` +
        'the widget frame uses the dummy token offline).',
    );
    return server;
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EADDRINUSE') throw error;
    console.log(`Port ${port} is taken; assuming a fake Turnstile already runs there.`);
    return undefined;
  }
}
