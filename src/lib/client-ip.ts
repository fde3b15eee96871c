import type { Context } from 'hono';

/**
 * The caller's address as Cloudflare's edge saw it. Only `CF-Connecting-IP` is trusted:
 * `X-Forwarded-For` is whatever the client chose to write.
 */
export const clientIp = (c: Context): string => c.req.header('CF-Connecting-IP') ?? 'unknown';
