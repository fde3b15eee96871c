import { createMiddleware } from 'hono/factory';
import { NONCE, secureHeaders } from 'hono/secure-headers';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

import type { ContextVariableMap } from 'hono';
import type { AppEnv } from '../lib/types';

/** The widget's two public paths (src/modules/widget/): the loader script and the frame page. */
export const WIDGET_LOADER_PATH = '/widget.js';
export const WIDGET_FRAME_PATH = '/widget/frame';

// Hono's defaults are weaker than our rules (180-day HSTS, SAMEORIGIN framing, no CSP),
// so every value is spelled out here rather than inherited.
const common: SecureHeadersOptions = {
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  xContentTypeOptions: 'nosniff',
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
  xXssProtection: '0',
  removePoweredBy: true,
  permissionsPolicy: {
    accelerometer: [],
    autoplay: [],
    camera: [],
    displayCapture: [],
    fullscreen: [],
    geolocation: [],
    gyroscope: [],
    magnetometer: [],
    microphone: [],
    midi: [],
    payment: [],
    publickeyCredentialsGet: [],
    screenWakeLock: [],
    serial: [],
    usb: [],
    xrSpatialTracking: [],
  },
};

/** JSON endpoints render nothing, so their documents may load nothing. */
const apiHeaders = secureHeaders({
  ...common,
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
});

/** Swagger UI: our own copy of its assets plus one inline start-up script allowed by nonce. */
const docsHeaders = secureHeaders({
  ...common,
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'", NONCE],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
});

/** Static pages (the web client): same-origin scripts and styles only, no inline anything. */
const pageHeaders = secureHeaders({
  ...common,
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    manifestSrc: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
  },
});

/**
 * The widget frame: the page CSP with no `frame-ancestors` and no X-Frame-Options here, because the
 * frame's route decides both (`widgetFrame` below) from its site's allowed origins.
 */
const frameHeaders = secureHeaders({ ...common, xFrameOptions: false, contentSecurityPolicy: undefined });

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the widget frame's route once it knows who may frame it and what Turnstile needs. */
    widgetFrame?: { ancestors: readonly string[]; turnstileOrigin?: string | undefined };
  }
}

/** The web client's strict page CSP, plus Turnstile's origin when it is loaded, framable by `ancestors` only. */
function frameCsp(frame: NonNullable<ContextVariableMap['widgetFrame']>): string {
  const turnstile = frame.turnstileOrigin ? ` ${frame.turnstileOrigin}` : '';
  return [
    "default-src 'none'",
    `script-src 'self'${turnstile}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    ...(turnstile ? [`frame-src${turnstile}`] : []),
    `frame-ancestors ${frame.ancestors.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const isApiPath = (path: string) =>
  path.startsWith('/api/') || path.startsWith('/v1/') || path.startsWith('/.well-known/') || path === '/openapi.json';

/**
 * Picks the header set by path and, for API responses, forbids caching: they are
 * per-caller and often authenticated, and a shared cache must never keep them.
 */
export const securityHeaders = () =>
  createMiddleware<AppEnv>(async function securityHeaders(c, next) {
    const path = c.req.path;
    if (isApiPath(path)) {
      await apiHeaders(c, next);
      // Only a response that says it is public (the JWKS) may be cached; everything else is no-store,
      // including streams that a helper marked merely `no-cache`.
      if (!c.res.headers.get('Cache-Control')?.includes('public')) c.res.headers.set('Cache-Control', 'no-store');
      return;
    }
    if (path === '/docs') return docsHeaders(c, next);
    if (path === WIDGET_FRAME_PATH) {
      await frameHeaders(c, next);
      const frame = c.get('widgetFrame');
      if (frame && c.res.ok) {
        c.res.headers.set('Content-Security-Policy', frameCsp(frame));
      } else {
        // No site vouched for this response (an error, a refused origin): nobody may frame it.
        c.res.headers.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
        c.res.headers.set('X-Frame-Options', 'DENY');
      }
      return;
    }
    await pageHeaders(c, next);
    // The loader is a script other sites include: it must be loadable cross-origin (it reads nothing).
    if (path === WIDGET_LOADER_PATH) c.res.headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  });
