// End-to-end test of the web client in headless Chromium against `npm run dev`.
// `npm run test:e2e`. Starts the dev server on a free port, makes an admin with the admin CLI,
// drives the customer and operator flows, fails on any CSP violation, console error or
// unexpected HTTP error, and saves screenshots to test/e2e/screenshots/ (git-ignored).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { chromium } from 'playwright-core';
import { makePdf } from '../../scripts/lib/make-pdf.mjs';

const root = path.join(import.meta.dirname, '..', '..');
const shots = path.join(import.meta.dirname, 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const run = Date.now().toString(36);
const password = `e2e-Pass-phrase-${run}!`;
const started = Date.now();

mkdirSync(shots, { recursive: true });
const port = await freePort(Number(process.env.PORT ?? 8799));
const devUrl = `http://127.0.0.1:${port}`;
// Every browser request comes from 127.0.0.1; raise the per-IP auth limits so reruns within a minute
// (local state persists in .wrangler/) do not trip them, nor the general per-IP limit that every page
// view, API-key call and widget request here shares. Rate limits have their own tests.
const relaxedLimits = [
  'RATE_LIMIT_IP:2000/1m',
  'RATE_LIMIT_LOGIN_IP:100/1m',
  // One customer signs in six times from 127.0.0.1 across the flows (5 per 15 minutes per email and client).
  'RATE_LIMIT_LOGIN_EMAIL:100/15m',
  'RATE_LIMIT_REGISTER_IP:100/1m',
  'RATE_LIMIT_REFRESH_IP:100/1m',
  'RATE_LIMIT_ACCOUNT_IP:100/1m',
  // The shortest wait allowed, so the "nobody there" flow sees its notice within the run.
  'HANDOFF_WAIT_MINUTES:1',
];
const dev = spawn(
  process.execPath,
  [path.join(root, 'scripts', 'dev.mjs'), ...relaxedLimits.flatMap((v) => ['--var', v])],
  {
    cwd: root,
    env: { ...process.env, PORT: String(port), WRANGLER_SEND_METRICS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so wrangler and workerd stop with it
  },
);
let devLog = '';
dev.stdout.on('data', (d) => (devLog += d));
dev.stderr.on('data', (d) => (devLog += d));

let browser;
const problems = [];
/** The site the widget flows use (made by the first, refused to other origins in the second). */
let widgetSite;
let failed = false;

try {
  await waitFor(async () => (await fetch(`${devUrl}/api/v1/health`)).ok, 90_000, 'the dev server to start');
  const admin = { email: `admin-${run}@example.com`, username: `admin_${run}` };
  const cli = spawnSync(
    'npm',
    [
      'run',
      '--silent',
      'admin',
      '--',
      'create',
      '--email',
      admin.email,
      '--username',
      admin.username,
      '--role',
      'admin',
      '--password-stdin',
    ],
    { cwd: root, input: `${password}\n`, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  if (cli.status !== 0) throw new Error(`admin CLI failed:\n${cli.stderr}${cli.stdout}`);

  const base = devUrl;

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

  const customer = { email: `cust-${run}@example.com`, username: `cust_${run}` };
  await step('customer: sign up, verify by the outbox, chat, stop, reload, FAQ answer, delete, log out', () =>
    customerFlow(base, customer),
  );
  await step('operator: FAQ entry, role change, usage chart', () => operatorFlow(base, admin, customer));
  await step('documents: drop a PDF, wait for ready, publish, ask, see and open the citation', () =>
    documentsFlow(base, admin),
  );
  await step('api keys: create, copy once, use, rotate, revoke; admin sees and revokes all', () =>
    apiKeysFlow(base, admin, customer),
  );
  // Last of the customer's flows: it changes their password and turns 2FA on.
  await step(
    'customer: enable 2FA, sign out, sign in with a code, reset the password, sign in with a backup code',
    () => twoFactorFlow(base, customer),
  );
  await step('docs: Swagger UI still loads', () => docsFlow(devUrl));
  await step(
    'widget: a host page on another site embeds it; a guest chats, sees formatted answers, hits the limit',
    () => widgetFlow(port, admin),
  );
  await step('widget: a page on an origin not on the list gets no widget', () => widgetRefusedFlow(port));
  await step(
    'handoff: a guest (widget) and a customer (web client) ask for a person; an operator sees it live, claims, replies; resolve, hand back',
    () => handoffFlow(port, admin),
  );
  await step('handoff: the assistant hands off, nobody claims in time; the guest is told and leaves an email', () =>
    nobodyThereFlow(port, admin),
  );
} catch (err) {
  failed = true;
  console.error(`\nFAILED: ${err instanceof Error ? err.stack : err}`);
  if (process.env.E2E_DEV_LOG) console.error(devLog);
} finally {
  await browser?.close();
  try {
    process.kill(-dev.pid, 'SIGTERM');
  } catch {}
}

if (problems.length) {
  failed = true;
  console.error(`\nBrowser problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
console.log(`\n${failed ? 'e2e FAILED' : 'e2e passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);

// ---------------------------------------------------------------------------------------------

async function customerFlow(base, customer) {
  const { page, context } = await newPage([
    // Deliberate: the wrong-password attempt below.
    (status, url) => status === 401 && url.endsWith('/api/v1/auth/login'),
  ]);
  await page.goto(base);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await shot(page, 'login');

  // Wrong credentials: one message that does not say which part was wrong.
  await page.getByLabel('Email').fill(customer.email);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: /incorrect/i })
    .waitFor();
  await shot(page, 'login-error');

  await page.getByRole('link', { name: 'Create an account' }).click();
  // The sign-in form has an Email field too: fill only once the new view has replaced it.
  await page.getByRole('heading', { name: 'Create an account' }).waitFor();
  await page.getByLabel('Email').fill(customer.email);
  await page.getByLabel('Username').fill(customer.username);
  await page.getByLabel('Password').fill(password);
  await shot(page, 'register');
  await page.getByRole('button', { name: 'Create account' }).click();
  // No sign-in yet: the page says to check the mail, which the development outbox holds.
  await page.getByText(/Check your email/).waitFor();
  await shot(page, 'register-check-email');
  await followMailLink(page, base, customer.email, 'Confirm your email');
  await page.getByText('Your email address is confirmed.').waitFor();
  await shot(page, 'verified');
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(customer.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.whoami').filter({ hasText: customer.username }).waitFor();

  // `npm run dev` without DEEPSEEK_API_KEY talks to the local fake DeepSeek, and the page must say so.
  await page.getByText(/answers are canned/).waitFor();

  // Stream an answer and watch it grow.
  const log = page.getByRole('log');
  await page.getByLabel('Your message').fill('My app will not start, what can I do? [fake:token-delay-ms=60]');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('.msg-assistant.streaming').waitFor();
  await page.getByRole('button', { name: 'Stop' }).waitFor();
  // Text nodes of the answer itself (the typing indicator has a hidden label of its own).
  const answer = log.locator('.msg-assistant').last().locator('.msg-body:not(:has(.typing))');
  await waitFor(async () => (await answer.textContent()).length > 0, 20_000, 'the first words of the answer');
  const early = (await answer.textContent()).length;
  await waitFor(async () => (await answer.textContent()).length > early, 20_000, 'the answer to grow');
  await shot(page, 'chat-streaming');
  await page.locator('.msg-assistant.streaming').waitFor({ state: 'detached', timeout: 30_000 });
  await assert(!(await page.getByRole('button', { name: 'Stop' }).isVisible()), 'Stop hides when the answer is done');
  await shot(page, 'chat-answered');

  // Stop a second answer half-way.
  await page.getByLabel('Your message').fill('Tell me more, in detail please. [fake:token-delay-ms=150]');
  await page.getByRole('button', { name: 'Send' }).click();
  const lastAnswer = log.locator('.msg-assistant').nth(1);
  const partial = lastAnswer.locator('.msg-body:not(:has(.typing))');
  await waitFor(async () => (await partial.textContent()).length > 0, 20_000, 'the second answer to start');
  const stop = page.getByRole('button', { name: 'Stop' });
  await assert(await stop.isVisible(), 'the answer was still streaming when Stop was pressed (make it slower?)');
  await stop.click();
  await lastAnswer.getByText(/Stopped/).waitFor();
  await assert((await partial.textContent()).length > 0, 'the partial answer stays visible after Stop');
  await shot(page, 'chat-stopped');

  // A reload keeps the session (refresh cookie) and the conversation.
  const url = page.url();
  await assert(/#\/chat\/[\w-]+$/.test(url), `the address names the conversation (${url})`);
  await page.reload();
  await page.locator('.whoami').filter({ hasText: customer.username }).waitFor();
  await page.locator('.conversation-list a[aria-current="page"]').waitFor();
  await log.locator('.msg-user').nth(1).waitFor();
  await log.getByText(/incomplete/).waitFor();

  // A question the knowledge base answers is labelled as such.
  await page.getByRole('link', { name: 'New conversation' }).click();
  // From the demo knowledge base that `npm run dev` loads (migration 0005_faqs_demo_seed.sql).
  await page.getByLabel('Your message').fill('What are your delivery hours?');
  await page.getByRole('button', { name: 'Send' }).click();
  await log.locator('.msg-assistant .badge-faq').waitFor({ timeout: 20_000 });
  await page.locator('.msg-assistant.streaming').waitFor({ state: 'detached', timeout: 30_000 });
  await shot(page, 'chat-faq');

  // Delete that conversation: it leaves the list.
  const items = page.locator('.conversation-list li a');
  await waitFor(async () => (await items.count()) === 2, 10_000, 'two conversations in the list');
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: /^Delete “What are your delivery hours/ }).click();
  await waitFor(async () => (await items.count()) === 1, 10_000, 'the deleted conversation to leave the list');

  // Phone-sized view of the chat.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('.conversation-list a').first().click();
  await log.locator('.msg-user').first().waitFor();
  await shot(page, 'chat-phone');
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('You are signed out.').waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await finish(page, context);
}

async function twoFactorFlow(base, customer) {
  const { page, context } = await newPage();
  await signIn(page, base, customer);
  await page.getByRole('link', { name: 'Security' }).click();
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  const secret = (await page.locator('.totp-secret').textContent()).trim();
  await shot(page, 'mfa-setup');
  const enabledStep = stepNow();
  await page.getByLabel('Code from your app').fill(totp(secret).generate());
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
  const backupCodes = await page.locator('.codes code').allTextContents();
  await assert(backupCodes.length === 10, `10 backup codes are shown (got ${backupCodes.length})`);
  await shot(page, 'mfa-backup-codes');
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('heading', { name: 'Two-factor authentication is on' }).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('You are signed out.').waitFor();

  // A code is good once: the one used to turn 2FA on cannot sign in, so wait for the app's next one.
  await page.getByLabel('Email').fill(customer.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Authentication code').waitFor();
  await shot(page, 'mfa-code');
  await waitFor(async () => stepNow() > enabledStep, 35_000, 'the next TOTP step');
  await page.getByLabel('Authentication code').fill(totp(secret).generate());
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.locator('.whoami').filter({ hasText: customer.username }).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('You are signed out.').waitFor();

  // Forgot the password: a mailed link, a new password, and the second factor still asked for.
  const newPassword = `${password}-renewed`;
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  await page.getByLabel('Email').fill(customer.email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await page.getByText(/Check your email/).waitFor();
  await followMailLink(page, base, customer.email, 'Reset your');
  await page.getByLabel('New password').fill(newPassword);
  await shot(page, 'reset');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText(/Your password is changed/).waitFor();
  await page.getByLabel('Email').fill(customer.email);
  await page.getByLabel('Password').fill(newPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Authentication code').fill(backupCodes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.locator('.whoami').filter({ hasText: customer.username }).waitFor();
  await finish(page, context);
}

/** Opens the development outbox and follows the link in the newest mail to `to` whose subject matches. */
async function followMailLink(page, base, to, subject) {
  await page.goto(`${base}/#/outbox`);
  const mail = page.locator('article.mail').filter({ hasText: to }).filter({ hasText: subject }).first();
  await mail.waitFor();
  await shot(page, `outbox-${subject.split(' ')[0].toLowerCase()}`);
  await mail.getByRole('link').first().click();
}

/** What an authenticator app would show for this secret. */
function totp(secret) {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
}

function stepNow() {
  return Math.floor(Date.now() / 30_000);
}

async function operatorFlow(base, admin, customer) {
  const { page, context } = await newPage();
  await page.goto(base);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.whoami').filter({ hasText: admin.username }).waitFor();

  await page.getByRole('link', { name: 'FAQ' }).click();
  await page.getByLabel('Question').fill(`Do you sell gift cards? (${run})`);
  await page
    .getByLabel('Answer')
    .fill('Yes: **digital gift cards** from $10 to $200.\n\n- Chat: always\n- Phone: weekdays');
  await page.getByLabel('Tags').fill('gift-cards, payment');
  await page.getByRole('button', { name: 'Add entry' }).click();
  await page.getByRole('heading', { name: `Do you sell gift cards? (${run})` }).waitFor();
  await shot(page, 'faq-editor');

  await page.getByRole('link', { name: 'Users' }).click();
  // Accounts the admin CLI makes are verified (no mail round trip for the first admin).
  await page.getByRole('row').filter({ hasText: admin.email }).getByText('Verified', { exact: true }).waitFor();
  const row = page.getByRole('row').filter({ hasText: customer.email });
  await row.getByLabel(`Role for ${customer.username}`).selectOption('moderator');
  await row.getByRole('button', { name: /Change/ }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `${customer.username} is now moderator.` })
    .waitFor();
  await page.reload();
  await page.getByRole('row').filter({ hasText: customer.email }).getByLabel(`Role for ${customer.username}`).waitFor();
  const role = await page
    .getByRole('row')
    .filter({ hasText: customer.email })
    .getByLabel(`Role for ${customer.username}`)
    .inputValue();
  await assert(role === 'moderator', `the role change persisted (got ${role})`);
  await shot(page, 'users');

  await page.getByRole('link', { name: 'Usage' }).click();
  await page.getByRole('heading', { name: 'Accounts' }).waitFor();
  await page.getByRole('heading', { name: 'Chat', exact: true }).waitFor();
  // Today's bar: the customer's chats above used tokens (earlier days are empty bars of height 0).
  await page.locator('svg.chart rect.bar-prompt:not([height="0"])').first().waitFor();
  await page.locator('svg.chart polyline.line-chats').waitFor();
  await page.getByRole('heading', { name: 'Handoffs (last 14 days)' }).waitFor();
  await shot(page, 'stats');
  await finish(page, context);
}

async function documentsFlow(base, admin) {
  const { page, context } = await newPage();
  await page.goto(base);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.whoami').filter({ hasText: admin.username }).waitFor();

  // Content that no FAQ entry holds: only this PDF can answer the question below.
  const name = `vellichor-${run}.pdf`;
  const pdf = makePdf({
    pages: [
      [`Vellichor ${run} membership`],
      [`The Vellichor ${run} membership card gives members free delivery on Tuesdays and a yearly tasting box.`],
    ],
  });
  await page.getByRole('link', { name: 'Documents' }).click();
  await page.getByRole('heading', { name: 'Documents' }).waitFor();
  // A real drop event carrying the file, as a browser fires it when a file is dragged onto the zone.
  const dataTransfer = await page.evaluateHandle(
    ({ fileName, bytes }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], fileName, { type: 'application/pdf' }));
      return transfer;
    },
    { fileName: name, bytes: [...pdf] },
  );
  await page.dispatchEvent('[data-testid="dropzone"]', 'drop', { dataTransfer });
  const upload = page.locator('.upload').filter({ hasText: name });
  await upload.locator('progress').waitFor();
  await upload.getByText(/processing/i).waitFor({ timeout: 20_000 });
  const row = page.locator(`tr[data-document="${name}"]`);
  await row.locator('[data-status="ready"]').waitFor({ timeout: 30_000 });
  await shot(page, 'documents-ready');
  await row.getByRole('button', { name: /^Publish/ }).click();
  await row.getByText('Published').waitFor();

  await page.getByRole('link', { name: 'Chat' }).click();
  // The run's own word: earlier runs' copies of this PDF stay in the local D1 and would crowd out its citation.
  await page.getByLabel('Your message').fill(`What does the Vellichor ${run} membership card give me?`);
  await page.getByRole('button', { name: 'Send' }).click();
  const answer = page.getByRole('log').locator('.msg-assistant').last();
  // Page 2 holds the answer; page 1 (its title) matches too and may be cited beside it.
  const citation = answer.locator('.citations').getByRole('button', { name: `${name} — Page 2` });
  await citation.waitFor({ timeout: 30_000 });
  await shot(page, 'chat-citation');
  const [download] = await Promise.all([page.waitForEvent('download'), citation.click()]);
  await assert(
    download.suggestedFilename() === name,
    `the citation downloads the PDF (${download.suggestedFilename()})`,
  );
  await finish(page, context);
}

async function apiKeysFlow(base, admin, customer) {
  const { page, context } = await newPage();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await signIn(page, base, customer);
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  await page.getByLabel('Name').fill('CI bot');
  await page.getByLabel('Daily token budget').fill('5000');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = page.getByLabel('Your new API key');
  await secret.waitFor();
  const key = await secret.inputValue();
  await assert(/^sk_test_[0-9A-Za-z]{43}$/.test(key), 'the new key is shown once, in full');
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByText('Copied.').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  await assert(copied === key, 'Copy puts the key on the clipboard');
  await shot(page, 'api-key-created');
  await page.getByRole('button', { name: 'I have stored it' }).click();
  await assert((await page.getByLabel('Your new API key').count()) === 0, 'the secret is gone once dismissed');

  const useKey = async (k) => (await fetch(`${base}/v1/models`, { headers: { 'X-API-Key': k } })).status;
  await assert((await useKey(key)) === 200, 'the key works on /v1');
  await page.reload();
  const row = page.getByRole('row').filter({ hasText: 'CI bot' });
  await row.getByText('1 requests').waitFor();
  await row.getByText(`${key.slice(0, 12)}…${key.slice(-4)}`).waitFor();
  await shot(page, 'api-keys');

  await row.getByLabel(/old secret stops after rotating/).selectOption('0');
  await row.getByRole('button', { name: /Rotate/ }).click();
  const rotated = await page.getByLabel('Your new API key').inputValue();
  await assert(rotated !== key, 'rotation shows a new secret');
  await assert((await useKey(key)) === 401, 'the old secret stops at once with no grace');
  await assert((await useKey(rotated)) === 200, 'the new secret works');
  await page.getByRole('button', { name: 'I have stored it' }).click();
  await page
    .getByRole('row')
    .filter({ hasText: 'CI bot' })
    .getByRole('button', { name: /Revoke/ })
    .click();
  await page
    .getByRole('row')
    .filter({ hasText: 'CI bot' })
    .getByText(/Revoked/)
    .waitFor();
  await assert((await useKey(rotated)) === 401, 'a revoked key fails at once');

  await page.getByLabel('Name').fill('Reporting');
  await page.getByRole('button', { name: 'Create key' }).click();
  const reporting = await page.getByLabel('Your new API key').inputValue();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('You are signed out.').waitFor();

  await signIn(page, base, admin);
  await page.getByRole('link', { name: 'API keys' }).click();
  const all = page.getByRole('region', { name: 'Everyone’s live API keys' });
  const theirs = all.getByRole('row').filter({ hasText: `Reporting (${customer.username})` });
  await theirs.waitFor();
  await shot(page, 'api-keys-admin');
  await theirs.getByRole('button', { name: /Revoke/ }).click();
  await theirs.waitFor({ state: 'detached' });
  await assert((await useKey(reporting)) === 401, 'an admin’s revocation applies at once');
  await finish(page, context);
}

async function signIn(page, base, who) {
  await page.goto(base);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.whoami').filter({ hasText: who.username }).waitFor();
}

async function docsFlow(devUrl) {
  const { page, context } = await newPage();
  await page.goto(`${devUrl}/docs`);
  await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });
  await finish(page, context);
}

/**
 * The widget as production sees it: the host page on one site (127.0.0.1:<port>) and the service on
 * another (localhost:<port>), so the frame is cross-site, with partitioned storage and SameSite rules.
 */
async function widgetFlow(port, admin) {
  const service = `http://localhost:${port}`;
  const hostPort = await freePort(port + 100);
  const hostOrigin = `http://127.0.0.1:${hostPort}`;
  const token = await apiLogin(service, admin);
  const hostileQuestion = `Hostile formatting check ${run}`;
  const hostile = [
    'Hello <script>window.__pwned = 1</script> and [click me](javascript:window.__pwned=2)',
    '<img src=x onerror="window.__pwned=3"> ![pixel](http://127.0.0.1:9/pixel.png)',
    '&lt;b&gt;entity&lt;/b&gt; &#60;script&#62; [safe link](https://example.com/help) **bold**',
  ].join('\n\n');
  await api(service, token, 'POST', '/api/v1/faqs', { question: hostileQuestion, answer: hostile, published: true });
  widgetSite = await api(service, token, 'POST', '/api/v1/sites', {
    name: `E2E shop ${run}`,
    allowedOrigins: [hostOrigin],
    greeting: 'Hi! Ask me about **deliveries**.',
    guestMessagesPerMinute: 3,
  });
  const host = await serveHostPage(hostPort, service, widgetSite.site.id);
  try {
    const { page, context } = await newPage([
      // Deliberate: the message over the per-minute limit.
      (status, url) => status === 429 && url.endsWith('/api/v1/chat'),
      // A first visit tries the partitioned cookie before Turnstile; there is none yet.
      (status, url) => status === 401 && url.endsWith('/api/v1/guest/sessions/renew'),
    ]);
    await page.goto(hostOrigin);
    const launcher = page.getByRole('button', { name: 'Open support chat' });
    await launcher.waitFor();
    await shot(page, 'widget-launcher');
    await launcher.click();
    const frame = page.frameLocator('iframe[title="Support chat"]');
    await frame.getByText(/answers are canned/).waitFor();
    await frame.locator('.msg-assistant strong', { hasText: 'deliveries' }).waitFor();

    // A guest passes the (fake) Turnstile and sees a streamed, formatted answer.
    const input = frame.getByLabel('Your message');
    await input.fill('Where is my **parcel** now? [fake:token-delay-ms=60]');
    await input.press('Enter');
    const answer = frame.locator('.msg-assistant').nth(1).locator('.body');
    await waitFor(async () => (await answer.textContent()).length > 0, 20_000, 'the first words of the answer');
    const early = (await answer.textContent()).length;
    await waitFor(async () => (await answer.textContent()).length > early, 20_000, 'the answer to grow');
    await frame.locator('.msg-assistant[data-done]').first().waitFor({ timeout: 30_000 });
    await frame.locator('.msg-assistant strong', { hasText: 'parcel' }).waitFor();
    await shot(page, 'widget-answer');

    // Hostile Markdown (from the knowledge base, shown verbatim): nothing runs, nothing loads.
    await input.fill(hostileQuestion);
    await input.press('Enter');
    await frame.locator('.msg-assistant[data-done]').nth(1).waitFor({ timeout: 30_000 });
    const hostileBubble = frame.locator('.msg-assistant').nth(2);
    await hostileBubble.getByText(/entity/).waitFor();
    const inFrame = page.frames().find((f) => f.url().startsWith(`${service}/widget/frame`));
    const report = await inFrame.evaluate(() => {
      const log = document.querySelector('.log');
      return {
        pwned: window.__pwned ?? null,
        scripts: log.querySelectorAll('script').length,
        images: log.querySelectorAll('img').length,
        handlers: [...log.querySelectorAll('*')].filter((n) => [...n.attributes].some((a) => a.name.startsWith('on')))
          .length,
        links: [...log.querySelectorAll('a')].map((a) => ({
          href: a.getAttribute('href'),
          rel: a.getAttribute('rel'),
        })),
        text: log.textContent,
      };
    });
    await page.waitForTimeout(300); // give an injected handler its chance to fire
    await assert(
      report.pwned === null && (await inFrame.evaluate(() => window.__pwned ?? null)) === null,
      'nothing ran',
    );
    await assert(
      report.scripts === 0 && report.images === 0 && report.handlers === 0,
      `no script, image or handler: ${JSON.stringify(report)}`,
    );
    await assert(
      report.links.length > 0 &&
        report.links.every((l) => /^(https?:|mailto:)/.test(l.href) && l.rel === 'noopener noreferrer nofollow'),
      `only http(s)/mailto links with rel: ${JSON.stringify(report.links)}`,
    );
    await assert(report.text.includes('<b>entity</b>'), 'entities stay text');
    await shot(page, 'widget-hostile');

    // Over the limit (3 per minute): the visitor is told in words when to come back.
    await input.fill('One more question');
    await input.press('Enter');
    await frame.locator('.msg-assistant[data-done]').nth(2).waitFor({ timeout: 30_000 });
    await input.fill('And another one');
    await input.press('Enter');
    await frame
      .getByRole('alert')
      .filter({ hasText: /next one in \d+ seconds/ })
      .waitFor();
    await shot(page, 'widget-limit');

    // Keyboard: Escape closes the panel and focus returns to the launcher.
    await input.press('Escape');
    await page.getByRole('button', { name: 'Open support chat' }).waitFor();
    await assert(await page.locator('iframe[title="Support chat"]').isHidden(), 'the panel closed');

    // A returning visitor (reload) continues their conversation: the visitor token in the frame's storage.
    await page.reload();
    await page.getByRole('button', { name: 'Open support chat' }).click();
    await page.frameLocator('iframe[title="Support chat"]').locator('.msg-user', { hasText: 'parcel' }).waitFor();

    // Phone-sized: the panel fills the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'widget-phone');
    await finish(page, context);
  } finally {
    host.close();
  }
}

/**
 * Issue 15's "done when": a guest in the widget asks for a person, a moderator (made by the admin CLI) watching
 * the inbox in a second browser context sees it arrive without a reload, claims it and replies; the guest sees
 * the reply live under the operator's name and role, the guest's next message reaches the operator live, and
 * the operator resolves. Then the same from the web client for a signed-in customer, handed back to the bot.
 */
async function handoffFlow(port, admin) {
  const service = `http://localhost:${port}`;
  const hostPort = await freePort(port + 300);
  const hostOrigin = `http://127.0.0.1:${hostPort}`;
  const operator = { email: `ana-${run}@example.com`, username: `ana_${run}`, fullName: 'Ana Operator' };
  createWithCli(operator, 'moderator');
  const token = await apiLogin(service, admin);
  const siteName = `E2E handoff ${run}`;
  const { site } = await api(service, token, 'POST', '/api/v1/sites', { name: siteName, allowedOrigins: [hostOrigin] });
  const host = await serveHostPage(hostPort, service, site.id);
  const operatorLabel = new RegExp(`^(${operator.fullName}|${operator.username}) · Support team \\(moderator\\)$`);
  try {
    // The operator first, watching the inbox: what follows must arrive over the inbox's live socket.
    const ops = await newPage();
    const opPage = ops.page;
    const inboxSocket = opPage.waitForEvent('websocket', { timeout: 20_000 });
    await signIn(opPage, devUrl, operator);
    await opPage.getByRole('link', { name: 'Inbox' }).click();
    await opPage.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await inboxSocket;
    const waiting = opPage.locator('.inbox-column[data-column="waiting"] .inbox-item').filter({ hasText: siteName });
    await assert((await waiting.count()) === 0, 'nothing from this site waits yet');

    const guest = await newPage([(status, url) => status === 401 && url.endsWith('/api/v1/guest/sessions/renew')]);
    const page = guest.page;
    await page.goto(hostOrigin);
    await page.getByRole('button', { name: 'Open support chat' }).click();
    const frame = page.frameLocator('iframe[title="Support chat"]');
    const input = frame.getByLabel('Your message');
    await input.fill('My order never arrived and I am upset.');
    await input.press('Enter');
    await frame.locator('.msg-assistant[data-done]').first().waitFor({ timeout: 30_000 });
    await frame.getByRole('button', { name: 'Talk to a person' }).click();
    await frame
      .getByRole('status')
      .filter({ hasText: /Waiting for a person/ })
      .waitFor();
    await shot(page, 'handoff-guest-waiting');

    // Live in the inbox, no reload: the site, the guest, a ticking wait time.
    await waiting.waitFor({ timeout: 20_000 });
    const wait = waiting.locator('.wait');
    await wait.filter({ hasText: /^Waiting \d+ (s|min)$/ }).waitFor();
    const waitedFirst = await wait.textContent();
    await waitFor(async () => (await wait.textContent()) !== waitedFirst, 5_000, 'the wait time to tick');
    await shot(opPage, 'handoff-inbox-waiting');
    await waiting.getByRole('button').first().click();
    const pane = opPage.locator('.operator-pane');
    await pane.locator('.msg-user').filter({ hasText: 'My order never arrived' }).waitFor();
    await pane.getByRole('button', { name: 'Claim' }).click();
    await pane.getByText('You are handling this conversation.').waitFor();
    await opPage.locator('.inbox-column[data-column="mine"] .inbox-item').filter({ hasText: siteName }).waitFor();
    await opPage.getByLabel('Your reply').fill('Hi, I am **Ana**. Let me check your order.');
    await frame
      .locator('.typing-note')
      .filter({ hasText: /is typing…/ })
      .waitFor({ timeout: 10_000 });
    await opPage.getByRole('button', { name: 'Send reply' }).click();

    // The guest sees the reply live, named, with the role label, and who they are talking with.
    const reply = frame.locator('.msg-operator').filter({ hasText: 'Let me check your order.' });
    await reply.waitFor({ timeout: 20_000 });
    const label = (await reply.locator('.author').textContent()).trim();
    await assert(operatorLabel.test(label), `the reply carries the operator's name and role label (${label})`);
    await reply.locator('strong', { hasText: 'Ana' }).waitFor();
    await frame
      .getByRole('status')
      .filter({ hasText: /You are talking with .*Support team \(moderator\)/ })
      .waitFor();
    await shot(page, 'handoff-guest-reply');

    // The guest types (the operator sees it) and sends: stored for the operator (202), delivered live.
    await input.fill('It is order 12345.');
    await pane.getByText('The customer is typing…').waitFor({ timeout: 10_000 });
    await input.press('Enter');
    await frame.locator('.msg-user').filter({ hasText: 'order 12345' }).getByText('Sent').waitFor();
    await assert(
      (await frame.locator('.msg-assistant').count()) === 1,
      'no assistant answer while a person holds the conversation',
    );
    await pane.locator('.msg-user').filter({ hasText: 'order 12345' }).waitFor({ timeout: 20_000 });
    await shot(opPage, 'handoff-operator-conversation');

    await pane.getByRole('button', { name: 'Resolve' }).click();
    await pane.getByText('Resolved.').waitFor();
    await opPage
      .locator('.inbox-column[data-column="mine"] .inbox-item')
      .filter({ hasText: siteName })
      .waitFor({ state: 'detached' });
    await frame
      .getByRole('status')
      .filter({ hasText: /marked resolved/ })
      .waitFor({ timeout: 20_000 });
    await shot(page, 'handoff-guest-resolved');
    await shot(opPage, 'handoff-operator-resolved');
    await finish(page, guest.context);

    // The web client's side: a signed-in customer asks with a reason; the operator hands back to the bot.
    const customer = { email: `ben-${run}@example.com`, username: `ben_${run}` };
    createWithCli(customer, 'user');
    const cust = await newPage();
    const cpage = cust.page;
    await signIn(cpage, devUrl, customer);
    await cpage.getByLabel('Your message').fill('Can I change my delivery address?');
    await cpage.getByRole('button', { name: 'Send', exact: true }).click();
    await cpage.locator('.msg-assistant').first().waitFor();
    await cpage.locator('.msg-assistant.streaming').waitFor({ state: 'detached', timeout: 30_000 });
    await cpage.getByRole('button', { name: 'Talk to a person' }).click();
    await cpage.getByLabel('What do you need help with? (optional)').fill('The address form rejects my postcode');
    await cpage.getByRole('button', { name: 'Ask for a person' }).click();
    const custState = cpage.locator('.handoff-state');
    await custState.filter({ hasText: /Waiting for a person/ }).waitFor();
    const theirs = opPage
      .locator('.inbox-column[data-column="waiting"] .inbox-item')
      .filter({ hasText: customer.username });
    await theirs.getByText('The address form rejects my postcode').waitFor({ timeout: 20_000 });
    await theirs.getByRole('button').first().click();
    await pane.getByText('The address form rejects my postcode').waitFor();
    await pane.getByRole('button', { name: 'Claim' }).click();
    await pane.getByText('You are handling this conversation.').waitFor();
    await custState.filter({ hasText: /You are talking with .*Support team \(moderator\)/ }).waitFor();
    await opPage.getByLabel('Your reply').fill('Done: I have updated it for you.');
    await opPage.getByRole('button', { name: 'Send reply' }).click();
    const custReply = cpage.locator('.msg-operator').filter({ hasText: 'I have updated it for you.' });
    await custReply.waitFor({ timeout: 20_000 });
    const custLabel = (await custReply.locator('.msg-author').textContent()).trim();
    await assert(operatorLabel.test(custLabel), `the web client names the operator with the role (${custLabel})`);
    await cpage.getByLabel('Your message').fill('Thank you!');
    await cpage.getByRole('button', { name: 'Send', exact: true }).click();
    await cpage.locator('.msg-user').filter({ hasText: 'Thank you!' }).getByText('Sent to the support team.').waitFor();
    await assert((await cpage.locator('.msg-assistant').count()) === 1, 'the assistant stays silent (web client)');
    await pane.locator('.msg-user').filter({ hasText: 'Thank you!' }).waitFor({ timeout: 20_000 });
    await shot(cpage, 'handoff-web-client');
    await pane.getByRole('button', { name: 'Hand back to the bot' }).click();
    await custState.filter({ hasText: 'You are back with the assistant.' }).waitFor({ timeout: 20_000 });
    await cpage.getByRole('button', { name: 'Talk to a person' }).waitFor();
    await shot(cpage, 'handoff-web-client-back');
    await finish(cpage, cust.context);
    await finish(opPage, ops.context);
  } finally {
    host.close();
  }
}

/**
 * The assistant hands off, and HANDOFF_WAIT_MINUTES (1 here) passes unclaimed: the notice arrives live, with an
 * email field, and the address reaches the operators.
 */
async function nobodyThereFlow(port, admin) {
  const service = `http://localhost:${port}`;
  const hostPort = await freePort(port + 400);
  const hostOrigin = `http://127.0.0.1:${hostPort}`;
  const token = await apiLogin(service, admin);
  const { site } = await api(service, token, 'POST', '/api/v1/sites', {
    name: `E2E nobody ${run}`,
    allowedOrigins: [hostOrigin],
  });
  const host = await serveHostPage(hostPort, service, site.id);
  try {
    const { page, context } = await newPage([
      (status, url) => status === 401 && url.endsWith('/api/v1/guest/sessions/renew'),
    ]);
    await page.goto(hostOrigin);
    await page.getByRole('button', { name: 'Open support chat' }).click();
    const frame = page.frameLocator('iframe[title="Support chat"]');
    const input = frame.getByLabel('Your message');
    // This time the assistant hands off (its handoff_to_human tool, on the fake DeepSeek's cue): the answer's
    // `done` says the conversation now waits, and the frame shows it without the button.
    await input.fill('Is anyone there? I want a person. [fake:handoff=1]');
    await input.press('Enter');
    await frame.locator('.msg-assistant[data-done]').first().waitFor({ timeout: 30_000 });
    await frame
      .getByRole('status')
      .filter({ hasText: /Waiting for a person/ })
      .waitFor();
    await assert(
      await frame.getByRole('button', { name: 'Talk to a person' }).isHidden(),
      'no "Talk to a person" while waiting for one',
    );
    await assert(await frame.getByLabel(/Your email/).isHidden(), 'no email field before the notice');
    await frame.locator('.msg-system').waitFor({ timeout: 100_000 });
    const email = frame.getByLabel(/Your email/);
    await email.waitFor();
    await shot(page, 'handoff-nobody-there');
    const address = `guest-${run}@example.com`;
    await email.fill(address);
    await frame.getByRole('button', { name: 'Leave email' }).click();
    await frame.getByText(`Thanks. We will write to ${address}.`).waitFor();
    await assert(await email.isHidden(), 'the email field goes once the address is left');
    const inbox = await apiGet(service, token, '/api/v1/inbox');
    const item = inbox.waiting.find((i) => i.site?.id === site.id);
    await assert(
      item?.timedOut === true && item.contactEmail === address && item.trigger === 'assistant',
      `operators see it timed out, with the address: ${JSON.stringify(item)}`,
    );
    await shot(page, 'handoff-contact-left');
    await finish(page, context);
  } finally {
    host.close();
  }
}

async function apiGet(service, token, path) {
  const res = await fetch(`${service}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${path} failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** An account made by the admin CLI (verified, no mail round trip) with the suite's password. */
function createWithCli(who, role) {
  const args = ['run', '--silent', 'admin', '--', 'create', '--email', who.email, '--username', who.username];
  if (who.fullName) args.push('--full-name', who.fullName);
  args.push('--role', role, '--password-stdin');
  const cli = spawnSync('npm', args, {
    cwd: root,
    input: `${password}\n`,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  if (cli.status !== 0) throw new Error(`admin CLI (${role}) failed:\n${cli.stderr}${cli.stdout}`);
}

async function widgetRefusedFlow(port) {
  const service = `http://localhost:${port}`;
  const otherPort = await freePort(port + 200);
  const host = await serveHostPage(otherPort, service, widgetSite.site.id, widgetSite.site.allowedOrigins[0]);
  try {
    // This origin is not on the site's list: the service refuses the frame, so no launcher appears.
    const { page, context } = await newPage(
      [(status, url) => status === 403 && url.includes('/widget/frame')],
      // The refusal itself, as the browser reports it.
      [/violates the following Content Security Policy directive: "frame-ancestors 'none'"/],
    );
    await page.goto(`http://127.0.0.1:${otherPort}/`);
    await page.waitForTimeout(2_000);
    await assert(
      !(await page.getByRole('button', { name: /support chat/ }).isVisible()),
      'no launcher on an unlisted origin',
    );
    await finish(page, context);

    // A page that lies about its origin: the browser refuses to frame it (frame-ancestors), the chat never loads.
    const liar = await browser.newContext();
    const lying = await liar.newPage();
    const blocked = [];
    lying.on('console', (msg) => blocked.push(msg.text()));
    await lying.goto(`http://127.0.0.1:${otherPort}/liar`);
    await lying.waitForTimeout(2_000);
    const framed = lying.frames().find((f) => f.url().includes('/widget/frame'));
    const loaded = framed ? await framed.locator('#widget').count() : 0;
    await assert(loaded === 0, 'the frame did not render under a foreign ancestor');
    await assert(
      blocked.some((t) => t.includes('frame-ancestors')),
      `the browser reported frame-ancestors: ${blocked.join(' | ')}`,
    );
    await shot(lying, 'widget-refused');
    await liar.close();
  } finally {
    host.close();
  }
}

/** A company's page on its own origin, with the embed snippet (and, at /liar, a frame claiming another origin). */
function serveHostPage(port, service, siteId, claimedOrigin) {
  const server = http.createServer((req, res) => {
    const snippet = `<script src="${service}/widget.js" data-site="${siteId}" async></script>`;
    const liar = claimedOrigin
      ? `<iframe title="forged" src="${service}/widget/frame?site=${siteId}&origin=${encodeURIComponent(claimedOrigin)}"></iframe>`
      : '';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html lang="en"><head><title>Shop</title><style>button{all:unset}</style></head><body><h1>Shop</h1>${req.url === '/liar' ? liar : snippet}</body></html>`,
    );
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function apiLogin(service, admin) {
  const res = await fetch(`${service}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: admin.email, password }),
  });
  if (!res.ok) throw new Error(`admin login failed: ${res.status}`);
  return (await res.json()).accessToken;
}

async function api(service, token, method, path, body) {
  const res = await fetch(`${service}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path} failed: ${res.status} ${await res.text()}`);
  return res.json();
}

// ---------------------------------------------------------------------------------------------

/** A fresh context whose CSP violations, console errors and unexpected HTTP errors are recorded. */
async function newPage(allowed = [], allowedConsole = []) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('console', (msg) => {
    const text = msg.text();
    if (allowedConsole.some((ok) => ok.test(text))) return;
    // HTTP failures are judged below by URL and status; the console line itself says nothing more.
    if (msg.type() === 'error' && !text.startsWith('Failed to load resource')) problems.push(`console: ${text}`);
    if (text.includes('Refused to')) problems.push(`CSP: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    const status = res.status();
    const url = res.url();
    if (status >= 400 && !allowed.some((ok) => ok(status, url))) problems.push(`HTTP ${status} ${url}`);
  });
  return { page, context };
}

async function finish(page, context) {
  await page.waitForTimeout(100);
  await context.close();
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function step(name, fn) {
  const t = Date.now();
  await fn();
  console.log(`ok  ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}

async function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(from) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(freePort(from + 1)));
    server.listen(from, '127.0.0.1', () => server.close(() => resolve(from)));
  });
}
