import { defineConfig } from 'drizzle-kit';

// Generates SQL into migrations/, which `wrangler d1 migrations apply` runs. Never `drizzle-kit push`:
// it would bypass wrangler's migration table.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
