// @ts-check
// Process management shared by the benchmarks: free ports from the OS, children in their own process
// groups (so wrangler *and* the workerd it starts are stopped together), readiness polling that
// gives up when the child dies, and one cleanup that runs however the script ends.
import { execFileSync, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const root = path.join(import.meta.dirname, '..', '..');
export const wranglerBin = path.join(root, 'node_modules', '.bin', 'wrangler');
/** Every child gets this: no telemetry. */
export const childEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

/** @typedef {{ name: string, child: import('node:child_process').ChildProcess, stop: () => Promise<void> }} Started */

/** @type {Set<Started>} */
const running = new Set();

/** A port nobody listens on right now (the OS picks it; released at once). */
export function freePort() {
  return /** @type {Promise<number>} */ (
    new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(port));
      });
    })
  );
}

/**
 * Starts `command` in its own process group. Output goes to `logFile` (or nowhere), so a chatty
 * server cannot fill a pipe and stall.
 * @param {string} name @param {string} command @param {string[]} args
 * @param {{ env?: Record<string, string>, logFile?: string }} [options]
 * @returns {Started}
 */
export function startProcess(name, command, args, options = {}) {
  const out = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(command, args, {
    cwd: root,
    env: { ...childEnv, ...options.env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  /** @type {Started} */
  const started = {
    name,
    child,
    async stop() {
      running.delete(started);
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
      signalGroup(child.pid, 'SIGTERM');
      const gone = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      // The group, not just the leader: workerd can outlive a wrangler that exited first.
      signalGroup(child.pid, gone ? 'SIGTERM' : 'SIGKILL');
      await sleep(200);
      signalGroup(child.pid, 'SIGKILL');
    },
  };
  running.add(started);
  return started;
}

/** @param {number} pid @param {NodeJS.Signals} signal */
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops everything started through this module (also on exit, Ctrl-C and uncaught errors). */
export async function stopAll() {
  await Promise.all([...running].map((s) => s.stop()));
}
process.on('exit', () => {
  for (const s of running) if (s.child.pid) signalGroup(s.child.pid, 'SIGKILL');
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    stopAll().finally(() => process.exit(130));
  });
}

/**
 * Polls `url` until it answers 2xx, for at most `timeoutMs`. Fails at once if `owner` exits: a port
 * taken by something else must not be mistaken for our server.
 * @param {string} url @param {Started} owner
 * @param {{ timeoutMs?: number, headers?: Record<string, string> }} [options]
 */
export async function waitUntilReady(url, owner, options = {}) {
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (owner.child.exitCode !== null) throw new Error(`${owner.name} exited with ${owner.child.exitCode}`);
    try {
      const res = await fetch(url, { headers: options.headers ?? {}, signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {}
    await sleep(250);
  }
  throw new Error(`${owner.name} did not come up at ${url}`);
}

/** Runs a command to completion (output to `logFile` or nowhere); rejects on a non-zero exit. */
export function runToEnd(
  /** @type {string} */ command,
  /** @type {string[]} */ args,
  /** @type {{ logFile?: string, env?: Record<string, string> }} */ options = {},
) {
  const out = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  return /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: root,
        env: { ...childEnv, ...options.env },
        stdio: ['ignore', out, out],
      });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
      );
    })
  );
}

/** Clock ticks per second of /proc/<pid>/stat's CPU fields (100 on every Linux seen here). */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * User + system CPU time (ms) used so far by the live processes of process group `pgid` (Linux
 * /proc; a started child leads its own group, and wrangler's node and workerd children join it),
 * leaving out the pids in `exclude`. Sample before and after a run and subtract: processes of the
 * group that exit in between lose their share, which is why only long-lived servers are measured.
 * @param {number} pgid @param {{ exclude?: number[] }} [options]
 * @returns {{ ms: number, pids: number[] }}
 */
export function groupCpuMs(pgid, options = {}) {
  let ticks = 0;
  /** @type {number[]} */
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (options.exclude?.includes(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    // Fields from there: state(3) ppid(4) pgrp(5) … utime(14) stime(15), numbered as in proc(5).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
    pids.push(pid);
  }
  return { ms: (ticks * 1000) / ticksPerSecond, pids };
}

export const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
