import { createRouter } from '../../lib/create-router';
import { dbOf } from '../../lib/db-context';
import { AppError } from '../../lib/errors';
import { siteSettings } from '../site-settings/site-settings';
import { framePage } from './widget.page';
import * as routes from './widget.routes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const noWidget = () => new AppError(404, 'SITE_NOT_FOUND', 'This chat is not set up for this website.');

export const widgetRouter = createRouter().openapi(routes.frame, async (c) => {
  // A browser says what it loads the page as; anything but an iframe (a top-level visit that could be
  // clickjacked differently, an <object>, a script include) gets nothing. Clients that do not send
  // the header (older browsers, tools) are left to frame-ancestors.
  const dest = c.req.header('Sec-Fetch-Dest');
  if (dest !== undefined && dest !== 'iframe') {
    throw new AppError(403, 'WIDGET_FRAME_ONLY', 'The chat widget opens only inside its frame.');
  }
  const { site: siteId, origin } = c.req.valid('query');
  if (!siteId || !UUID.test(siteId)) throw noWidget();
  const site = await siteSettings(dbOf(c), siteId);
  if (!site?.guestChat) throw noWidget();
  // The claimed origin must be on the list, and only it may frame this response: a page elsewhere that
  // claims a listed origin is refused by the browser (frame-ancestors), and the frame talks to no one else.
  if (!origin || !site.allowedOrigins.includes(origin)) {
    throw new AppError(403, 'ORIGIN_NOT_ALLOWED', 'This website may not show the chat widget.');
  }
  const config = c.get('config');
  const scriptUrl = config.guest.turnstile.scriptUrl;
  c.set('widgetFrame', { ancestors: [origin], turnstileOrigin: scriptUrl ? new URL(scriptUrl).origin : undefined });
  c.header('Cache-Control', 'no-store');
  return c.html(
    framePage(site, {
      siteId: site.id,
      hostOrigin: origin,
      greeting: site.greeting,
      accentColor: site.accentColor,
      assistantName: config.chat.persona.assistantName,
      canned: config.chat.upstream.canned,
      turnstile: {
        siteKey: config.guest.turnstile.siteKey,
        scriptUrl: scriptUrl ?? null,
        action: config.guest.turnstile.action,
      },
    }),
    200,
  );
});
