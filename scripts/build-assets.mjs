// Copies the Swagger UI files /docs needs into public/vendor so the docs work offline and under
// our CSP (no CDN). Run by `npm run build`, `npm run dev` and `npm test`; the output is not committed.
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const source = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const target = path.join(import.meta.dirname, '..', 'public', 'vendor', 'swagger-ui-dist');

await mkdir(target, { recursive: true });
for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']) {
  await copyFile(path.join(source, file), path.join(target, file));
}

// The web client is built here too, so no command needs to remember a second step.
await import('./build-web.mjs');
