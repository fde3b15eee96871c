import { spawn } from 'node:child_process';
import path from 'node:path';

export const root = path.join(import.meta.dirname, '..', '..');

/** Env for every wrangler call from our scripts: no telemetry, nothing interactive. */
export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

/** Runs a local binary (from node_modules/.bin) and resolves when it exits 0. */
export function run(bin, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', bin), args, {
      cwd: root,
      stdio: 'inherit',
      env: wranglerEnv,
      ...options,
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${bin} ${args.join(' ')} exited with ${code}`)),
    );
  });
}
