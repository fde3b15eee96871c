// The admin CLI runs on Node, not in workerd, so its tests use node:test (`npm run test:cli`).
// Every case fails before the CLI reaches wrangler: no database is needed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.join(import.meta.dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

/**
 * Runs `npm run admin -- …args` with `input` piped on stdin (so never a terminal).
 * @param {string[]} args
 * @returns {Promise<{ status: number | null, stdout: string, stderr: string }>}
 */
function admin(args, input = '') {
  const { ADMIN_PASSWORD: _ignored, ...env } = process.env;
  const child = spawn(tsx, ['scripts/admin.ts', ...args], { cwd: root, env });
  const result = { status: /** @type {number | null} */ (null), stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => {
    result.stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    result.stderr += chunk;
  });
  child.stdin.end(input);
  return new Promise((resolve) => {
    child.on('close', (status) => resolve({ ...result, status }));
  });
}

/** Asserts exit code 2 and exactly one line on stderr, and returns that line. */
function oneLineFailure(result) {
  assert.equal(result.status, 2, `exit code (stderr: ${result.stderr})`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.doesNotMatch(lines[0], /\bat .+:\d+:\d+/, 'no stack trace');
  return lines[0];
}

const account = ['create', '--email', 'cli@example.com', '--username', 'cli_admin'];

// Each case starts a process (about two seconds of start-up): run them side by side.
describe('admin CLI failures: one line on stderr, exit code 2', { concurrency: true }, () => {
  it('refuses --password (it would land in shell history and ps)', async () => {
    assert.match(oneLineFailure(await admin([...account, '--password', 'x'])), /^admin: Unknown option '--password'/);
  });

  it('names an unknown command and a missing one', async () => {
    assert.match(oneLineFailure(await admin(['bogus'])), /unknown command bogus/);
    assert.match(oneLineFailure(await admin([])), /no command given/);
  });

  it('names a bad argument', async () => {
    assert.match(oneLineFailure(await admin(['create', '--email', 'nope'])), /--email must be a valid email address/);
  });

  it('points to --password-stdin when a password is piped without it', async () => {
    const line = oneLineFailure(await admin(account, 'correct horse battery staple 42\n'));
    assert.match(line, /no terminal for a password prompt.*--password-stdin/);
  });

  it('reads --password-stdin and applies the password policy to it', async () => {
    assert.match(oneLineFailure(await admin([...account, '--password-stdin'], 'short\n')), /at least 12 characters/);
    assert.match(oneLineFailure(await admin([...account, '--password-stdin'], '\n')), /the password is empty/);
  });
});

describe('admin CLI help', () => {
  it('prints usage on stdout and exits 0', async () => {
    const result = await admin(['--help']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /--password-stdin/);
    assert.equal(result.stderr, '');
  });
});
