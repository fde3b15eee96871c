/**
 * The only messages the host page (loader) and the frame exchange. Each side checks the other's origin
 * and window before reading one: the loader accepts messages only from its iframe's window and the
 * service's origin; the frame only from its parent window and the host origin its site allowed.
 * No token or message text ever crosses: open/close/resize/unread, and the signed identity, which the
 * frame's server verifies (the host page could send any identity; only a valid signature counts).
 */
export type ToFrame =
  | { type: 'sw:open' }
  | { type: 'sw:close' }
  | { type: 'sw:identify'; identity: { id: string; email: string; expires: number; signature: string } };

export type ToHost =
  | { type: 'sw:ready' }
  | { type: 'sw:close' }
  | { type: 'sw:resize'; height: number }
  | { type: 'sw:unread'; count: number };

export const isMessage = (data: unknown): data is { type: string } =>
  typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string';
