import type { LivePrincipal } from './live.types';

/** What a socket carries across hibernation: who holds it, and when they last said they were typing. */
export type SocketAttachment = LivePrincipal & { typingAt?: number };

/** The largest message a client may send; the only one it needs (`{"type":"typing"}`) is tiny. */
export const MAX_CLIENT_MESSAGE_BYTES = 1024;

/** One typing notice per socket per this long: a client cannot flood the other side. */
export const TYPING_INTERVAL_MS = 2000;

/** `user:<id>` / `visitor:<id>`: how `closeFor` finds a user's sockets without reading every attachment. */
export const holderTag = (principal: Pick<LivePrincipal, 'kind' | 'id'>) => `${principal.kind}:${principal.id}`;

export const attachmentOf = (socket: WebSocket) => socket.deserializeAttachment() as SocketAttachment;

/**
 * What a client sent: `typing`, something well-formed the channel does not act on (ignored, so newer
 * clients can send more), or something it refuses (binary, oversized, not a JSON object: closed, 1008).
 */
export function readClientMessage(message: string | ArrayBuffer): 'typing' | 'ignored' | 'refused' {
  if (typeof message !== 'string') return 'refused';
  if (message.length > MAX_CLIENT_MESSAGE_BYTES || new TextEncoder().encode(message).length > MAX_CLIENT_MESSAGE_BYTES)
    return 'refused';
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return 'refused';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'refused';
  return (parsed as { type?: unknown }).type === 'typing' ? 'typing' : 'ignored';
}
