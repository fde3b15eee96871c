import { createMiddleware } from 'hono/factory';
import { NONCE, secureHeaders } from 'hono/secure-headers';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

import type { AppEnv } from '../lib/types';

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
    return pageHeaders(c, next);
  });
