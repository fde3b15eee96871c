import { isMessage, type ToFrame, type ToHost } from './protocol';

/**
 * `<script src="https://<service>/widget.js" data-site="…" async>`: a launcher button (in a shadow root, away from the page's CSS) and a chat
 * panel in an iframe served by the service, so the host page's CSS and scripts cannot reach the chat
 * and no token ever lives in the host page. The launcher appears only once the frame says it is ready:
 * a page on an origin its site does not list never gets a frame (the service refuses it, and the
 * browser enforces frame-ancestors), so it never shows a launcher either.
 */
type Identity = Extract<ToFrame, { type: 'sw:identify' }>['identity'];

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  const siteId = script?.dataset.site;
  if (!script || !siteId || (window as { SupportWidget?: unknown }).SupportWidget) return;
  const service = new URL(script.src).origin;

  const host = document.createElement('div');
  // Open, so assistive tech and test tools can reach the launcher; the iframe is cross-origin regardless.
  const root = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = `
    :host { all: initial; }
    button { position: fixed; right: 20px; bottom: 20px; z-index: 2147483646; width: 56px; height: 56px;
      border-radius: 50%; border: 0; background: #0a6e52; color: #fff; font: 600 24px/1 system-ui, sans-serif;
      cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
    button:focus-visible { outline: 3px solid #fbbf24; outline-offset: 3px; }
    button[hidden], iframe[hidden] { display: none; }
    .badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; border-radius: 10px;
      background: #c0262d; color: #fff; font: 600 12px/20px system-ui, sans-serif; text-align: center; }
    .badge[hidden] { display: none; }
    iframe { position: fixed; right: 20px; bottom: 88px; z-index: 2147483647; width: 380px; height: 560px;
      max-height: calc(100vh - 108px); border: 0; border-radius: 14px; background: #fff;
      box-shadow: 0 8px 30px rgba(0,0,0,.3); }
    @media (max-width: 480px) {
      iframe { right: 0; bottom: 0; width: 100vw; height: 100vh; max-height: none; border-radius: 0; }
    }`;
  const button = document.createElement('button');
  button.type = 'button';
  button.hidden = true;
  button.setAttribute('aria-label', 'Open support chat');
  button.setAttribute('aria-expanded', 'false');
  button.textContent = '?';
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.hidden = true;
  badge.setAttribute('aria-hidden', 'true');
  button.append(badge);

  const frame = document.createElement('iframe');
  const url = new URL('/widget/frame', service);
  url.searchParams.set('site', siteId);
  url.searchParams.set('origin', location.origin);
  frame.src = url.href;
  frame.title = 'Support chat';
  frame.hidden = true;
  frame.setAttribute('allow', '');
  root.append(style, button, frame);

  let ready = false;
  let open = false;
  let identity: Identity | undefined;

  const post = (message: ToFrame) => {
    if (ready) frame.contentWindow?.postMessage(message, service);
  };

  function show(next: boolean) {
    if (!ready || open === next) return;
    open = next;
    frame.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', open ? 'Close support chat' : 'Open support chat');
    if (open) {
      badge.hidden = true;
      post({ type: 'sw:open' });
      frame.focus();
    } else {
      post({ type: 'sw:close' });
      button.focus();
    }
  }

  button.addEventListener('click', () => show(!open));

  window.addEventListener('message', (event: MessageEvent) => {
    // Only our own frame, from the service's origin: anything else on the page is ignored.
    if (event.source !== frame.contentWindow || event.origin !== service || !isMessage(event.data)) return;
    const message = event.data as ToHost;
    if (message.type === 'sw:ready') {
      ready = true;
      button.hidden = false;
      if (identity) post({ type: 'sw:identify', identity });
    } else if (message.type === 'sw:close') {
      show(false);
    } else if (message.type === 'sw:resize' && Number.isFinite(message.height)) {
      frame.style.height = `${Math.max(200, Math.min(800, message.height))}px`;
    } else if (message.type === 'sw:unread' && !open && Number.isInteger(message.count)) {
      badge.textContent = String(Math.min(99, message.count));
      badge.hidden = message.count <= 0;
    }
  });

  (window as { SupportWidget?: unknown }).SupportWidget = {
    open: () => show(true),
    close: () => show(false),
    /** `signature`: HMAC-SHA256 of `id|email|expires` with the site's secret, made on the company's server. */
    identify(next: Identity) {
      identity = next;
      post({ type: 'sw:identify', identity: next });
    },
  };

  (document.body ?? document.documentElement).append(host);
})();
