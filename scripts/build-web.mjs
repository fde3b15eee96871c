// Bundles the web client (web/src/main.ts → public/app/app.js) and copies its stylesheet.
// Called by build-assets.mjs, so `npm run build`, `npm run dev` and `npm test` all build it;
// the output is generated and not committed (public/index.html, which loads it, is).
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.join(import.meta.dirname, '..');
const outdir = path.join(root, 'public', 'app');

await mkdir(outdir, { recursive: true });
await build({
  entryPoints: [path.join(root, 'web', 'src', 'main.ts')],
  outfile: path.join(outdir, 'app.js'),
  bundle: true,
  format: 'esm',
  // Browsers from the last few years; no down-levelling of async/await or classes needed.
  target: ['es2022'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(path.join(root, 'web', 'app.css'), path.join(outdir, 'app.css'));

// The embeddable widget: the loader other sites include (/widget.js, a classic script: it runs on
// their pages, so no module semantics are assumed), and the frame it opens (/widget/frame.js + .css).
const widgetDir = path.join(root, 'public', 'widget');
await mkdir(widgetDir, { recursive: true });
await build({
  entryPoints: [path.join(root, 'web', 'widget', 'loader.ts')],
  outfile: path.join(root, 'public', 'widget.js'),
  bundle: true,
  format: 'iife',
  target: ['es2020'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
await build({
  entryPoints: [path.join(root, 'web', 'widget', 'frame.ts')],
  outfile: path.join(widgetDir, 'frame.js'),
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(path.join(root, 'web', 'widget', 'frame.css'), path.join(widgetDir, 'frame.css'));
