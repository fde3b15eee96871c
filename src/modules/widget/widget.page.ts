import type { SiteSettings } from '../site-settings/site-settings';

/** What the frame script needs, embedded as JSON data (never executed: the CSP allows no inline script). */
export type FrameConfig = {
  siteId: string;
  hostOrigin: string;
  greeting: string | null;
  accentColor: string | null;
  assistantName: string;
  canned: boolean;
  turnstile: { siteKey: string; scriptUrl: string | null; action: string };
};

/** JSON that cannot close its <script> element or start a comment, whatever a site's greeting holds. */
const inertJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

const escapeText = (text: string) => text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function framePage(site: SiteSettings, config: FrameConfig): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeText(`Chat with ${config.assistantName} — ${site.name}`)}</title>
<link rel="stylesheet" href="/widget/frame.css">
<script type="module" src="/widget/frame.js"></script>
</head>
<body>
<script type="application/json" id="widget-config">${inertJson(config)}</script>
<div id="widget" class="widget"><p class="loading">Loading…</p></div>
</body>
</html>`;
}
