// Admin CLI: `npm run admin -- <command> [options]`. Works against the local dev D1 (default) or,
// with --remote, the deployed one (through wrangler, with your Cloudflare login or API token).
// This is how the first admin is made.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs, stripVTControlCharacters } from 'node:util';
import initialize from '@phi-ag/argon2/node';
import { parseConfig } from '../src/config';
import { ROLES, type Role } from '../src/db/schema';
import { EmailSchema, UsernameSchema } from '../src/modules/auth/auth.schemas';
import { createPasswordHasher } from '../src/modules/auth/password-hasher';
import { checkPassword } from '../src/modules/auth/password-policy';
import { CliError, exitWithError, runCli } from './lib/cli-error';
import { readSecret, readStdin } from './lib/read-secret';

const usage = `Usage: npm run admin -- <command> [options] [--remote] [--env production]

  create   --email E --username U [--role admin|moderator|user|viewer] [--full-name N]
           [--password-stdin]   password from stdin (one trailing newline dropped),
           else $ADMIN_PASSWORD, else a hidden prompt on the terminal
  list     [--role R]
  set-role --email E --role R
  unlock   --email E
  delete   --email E

--remote runs against the deployed D1 (wrangler d1 execute --remote); default is local (.wrangler/state).
Errors are one line on stderr, exit code 2.`;

// No `--password`: a password on the command line lands in shell history and in `ps`.
const options = {
  email: { type: 'string' },
  username: { type: 'string' },
  role: { type: 'string' },
  'full-name': { type: 'string' },
  'password-stdin': { type: 'boolean', default: false },
  remote: { type: 'boolean', default: false },
  env: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const fail = (message: string): never => {
  throw new CliError(message);
};

function parseCommandLine() {
  try {
    return parseArgs({ allowPositionals: true, options });
  } catch (err) {
    // Node's own wording ("Unknown option '--x'. To specify a positional argument starting with…").
    const message = err instanceof Error ? (err.message.split('. ')[0] ?? err.message) : String(err);
    return exitWithError('admin', `${message} (see --help)`);
  }
}

const { values, positionals } = parseCommandLine();

/** SQL string literal. Inputs are validated first; quoting is the second line of defence. */
const q = (value: string) => `'${value.replaceAll("'", "''")}'`;

function d1<T = Record<string, unknown>>(sql: string): T[] {
  const args = ['d1', 'execute', 'DB', values.remote ? '--remote' : '--local', '--json', '--command', sql];
  if (values.env) args.push('--env', values.env);
  const bin = path.join(import.meta.dirname, '..', 'node_modules', '.bin', 'wrangler');
  const out = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  if (out.status !== 0) fail(`wrangler d1 execute failed: ${wranglerError(out.stdout, out.stderr)}`);
  const parsed = JSON.parse(out.stdout) as { results: T[] }[];
  return parsed.flatMap((r) => r.results);
}

/** Wrangler's complaint in one line: the `--json` error text, else its `[ERROR]` line and the detail after it. */
function wranglerError(stdout: string, stderr: string): string {
  try {
    const text = (JSON.parse(stdout) as { error?: { text?: string } }).error?.text;
    if (text) return text;
  } catch {
    // not JSON: the error went to stderr as text
  }
  const lines = stripVTControlCharacters(`${stderr}\n${stdout}`)
    .split('\n')
    .map((line) => line.trim().replace(/^[✘-]\s*/, ''))
    .filter((line) => line !== '' && !line.startsWith('🪵'));
  const at = lines.findIndex((line) => line.startsWith('[ERROR]'));
  if (at === -1) return lines[0] ?? 'no output';
  return [lines[at]?.replace('[ERROR] ', ''), lines[at + 1]].filter(Boolean).join(' ');
}

const email = () => EmailSchema.safeParse(values.email ?? '').data ?? fail('--email must be a valid email address');
const role = (): Role =>
  (ROLES as readonly string[]).includes(values.role ?? '')
    ? (values.role as Role)
    : fail(`--role must be one of ${ROLES.join(', ')}`);

function requireUser(address: string): { id: string; role: Role } {
  const [user] = d1<{ id: string; role: Role }>(`SELECT id, role FROM users WHERE email = ${q(address)}`);
  return user ?? fail(`no user with email ${address}`);
}

function audit(action: string, targetId: string, detail: Record<string, string>) {
  d1(
    `INSERT INTO audit_events (id, actor_id, action, target_id, outcome, ip, user_agent, detail) VALUES (${q(crypto.randomUUID())}, NULL, ${q(action)}, ${q(targetId)}, 'success', 'cli', 'admin-cli', ${q(JSON.stringify(detail))})`,
  );
}

async function create() {
  const address = email();
  const username =
    UsernameSchema.safeParse(values.username ?? '').data ??
    fail('--username must be 3–50 of [a-zA-Z0-9_-] and not reserved');
  const newRole = values.role ? role() : 'admin';
  const password = await newPassword();
  // Same policy and Argon2 parameters as the service (defaults unless ARGON2_* / PASSWORD_* are exported).
  const config = parseConfig({
    ENVIRONMENT: 'development',
    CORS_ORIGINS: '*',
    JWT_JWKS: placeholderJwks,
    ...process.env,
  });
  const violation = await checkPassword(password, { email: address, username }, config.password);
  if (violation) fail(violation.message);
  const hasher = createPasswordHasher(await initialize());
  const hash = hasher.hash(password, config.password.argon2);
  const id = crypto.randomUUID();
  const fullName = values['full-name'] ? q(values['full-name'].replace(/[<>\p{Cc}]/gu, '').slice(0, 100)) : 'NULL';
  d1(
    // An operator typed this address: it counts as verified (no mail round trip for the first admin).
    `INSERT INTO users (id, email, username, full_name, password_hash, role, email_verified_at) VALUES (${q(id)}, ${q(address)}, ${q(username)}, ${fullName}, ${q(hash)}, ${q(newRole)}, ${Date.now()})`,
  );
  audit('register', id, { via: 'cli', role: newRole });
  console.log(`created ${newRole} ${username} <${address}> (${id})`);
}

async function newPassword(): Promise<string> {
  const password = values['password-stdin']
    ? await readStdin()
    : (process.env.ADMIN_PASSWORD ?? (await readSecret('Password: ')));
  return password || fail('the password is empty');
}

// parseConfig insists on a signing key; the CLI signs nothing, so any well-formed key set will do.
const placeholderJwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', kid: 'cli', x: 'x', y: 'y', d: 'd' }] });

// The CLI writes D1 directly and cannot reach the user's admission object (src/modules/admission/), which
// rereads its copy of the account once it is older than ACCOUNT_RECHECK_SECONDS.
const sessionsNote =
  'Access tokens issued before this change are refused within ACCOUNT_RECHECK_SECONDS (60 s by default).';

function list() {
  const where = values.role ? `WHERE role = ${q(role())}` : '';
  const rows = d1(
    `SELECT id, email, username, role, is_active AS active, CASE WHEN locked_until > ${Date.now()} THEN 1 ELSE 0 END AS locked, datetime(created_at / 1000, 'unixepoch') AS created FROM users ${where} ORDER BY created_at DESC LIMIT 500`,
  );
  console.table(rows);
}

function setRole() {
  const user = requireUser(email());
  const next = role();
  d1(`UPDATE users SET role = ${q(next)}, token_version = token_version + 1 WHERE id = ${q(user.id)}`);
  audit('role_change', user.id, { via: 'cli', from: user.role, to: next });
  console.log(`${values.email}: ${user.role} → ${next}`);
  console.log(sessionsNote);
}

function unlock() {
  const user = requireUser(email());
  d1(`UPDATE users SET locked_until = NULL, failed_login_count = 0 WHERE id = ${q(user.id)}`);
  audit('unlock', user.id, { via: 'cli' });
  console.log(`${values.email}: unlocked`);
}

function remove() {
  const user = requireUser(email());
  d1(`DELETE FROM users WHERE id = ${q(user.id)}`);
  audit('user_delete', user.id, { via: 'cli' });
  console.log(`${values.email}: deleted (sessions removed with it)`);
  console.log(sessionsNote);
}

const commands: Record<string, () => void | Promise<void>> = {
  create,
  list,
  'set-role': setRole,
  unlock,
  delete: remove,
};
await runCli('admin', async () => {
  if (values.help) {
    console.log(usage);
    return;
  }
  const name = positionals[0];
  const command = commands[name ?? ''];
  if (!command) fail(name ? `unknown command ${name} (see --help)` : 'no command given (see --help)');
  else await command();
});
