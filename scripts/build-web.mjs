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
