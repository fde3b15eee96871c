/**
 * The floor for streaming benchmarks: a Worker that does nothing but forward each request to the
 * upstream (the fake DeepSeek) and hand back its body untouched. Whatever our real chat route costs
 * on top of this is ours; this much is wrangler dev, workerd and the loopback network.
 */
type RelayEnv = { UPSTREAM_URL: string };

export default {
  async fetch(request: Request, env: RelayEnv): Promise<Response> {
    const incoming = new URL(request.url);
    const target = new URL(incoming.pathname + incoming.search, env.UPSTREAM_URL);
    const upstream = await fetch(target, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      // Cancel the upstream when the benchmark client goes away, as the real route must.
      signal: request.signal,
    });
    return new Response(upstream.body, upstream);
  },
};
