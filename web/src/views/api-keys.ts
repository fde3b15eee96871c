import { get, type Page, query, request, send } from '../api';
import { type AppContext, atLeast, type View } from '../context';
import { formatDate, h, replaceChildren } from '../dom';
import { alertBox, busy, describeError, field, renderPager } from '../ui';

type Scope = 'chat:use' | 'content:read' | 'content:write';

type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  scopes: Scope[];
  models: string[] | null;
  requestsPerMinute: number;
  tokensPerMinute: number | null;
  maxConcurrentStreams: number | null;
  dailyTokenBudget: number | null;
  expiresAt: string | null;
  revokedAt: string | null;
  previousSecretExpiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  usageToday: { requests: number; promptTokens: number; completionTokens: number; refusals: number };
  owner?: { id: string; username: string };
};

type NewKey = { key: string; apiKey: ApiKey };

const GRACE_CHOICES: [number, string][] = [
  [0, 'stops now'],
  [3600, 'works 1 more hour'],
  [86_400, 'works 1 more day'],
];

/** API keys for the user's own backends and scripts; admins also see and revoke everyone's. */
export function apiKeysView(ctx: AppContext): View {
  const isAdmin = atLeast(ctx.user.role, 'admin');
  const scopes: Scope[] = [
    'chat:use',
    'content:read',
    ...(atLeast(ctx.user.role, 'moderator') ? ['content:write' as const] : []),
  ];
  const alert = alertBox();
  const secretPanel = h('section', { class: 'panel secret-panel', hidden: true, 'aria-labelledby': 'secret-heading' });
  const body = h('tbody');
  const allBody = h('tbody');
  const allPager = h('nav', { class: 'pager', 'aria-label': 'All keys pages' });
  let allPage = 1;

  async function load(): Promise<void> {
    try {
      const { items } = await get<{ items: ApiKey[] }>('/api/v1/api-keys');
      replaceChildren(body, ...(items.length ? items.map((key) => row(key, false)) : [emptyRow(7, 'No keys yet.')]));
      if (isAdmin) await loadAll();
    } catch (err) {
      alert.show(describeError(err));
    }
  }

  async function loadAll(): Promise<void> {
    const result = await get<Page<ApiKey>>(`/api/v1/admin/api-keys${query({ page: allPage, pageSize: 20 })}`);
    replaceChildren(
      allBody,
      ...(result.items.length ? result.items.map((key) => row(key, true)) : [emptyRow(7, 'No live keys.')]),
    );
    renderPager(allPager, allPage, result, (to) => {
      allPage = to;
      void loadAll().catch((err) => alert.show(describeError(err)));
    });
  }

  function emptyRow(span: number, text: string) {
    return h('tr', {}, h('td', { colspan: span, class: 'empty' }, text));
  }

  function status(key: ApiKey): string {
    if (key.revokedAt) return `Revoked ${formatDate(key.revokedAt)}`;
    if (key.expiresAt && Date.parse(key.expiresAt) <= Date.now()) return 'Expired';
    return key.expiresAt ? `Active until ${formatDate(key.expiresAt)}` : 'Active';
  }

  function row(key: ApiKey, adminList: boolean): HTMLElement {
    const usage = key.usageToday;
    const tokens = usage.promptTokens + usage.completionTokens;
    const first = adminList ? `${key.name} (${key.owner?.username ?? '?'})` : key.name;
    return h(
      'tr',
      {},
      h(
        'th',
        { scope: 'row' },
        h('span', { class: 'cell-main' }, first),
        h('span', { class: 'cell-sub' }, key.scopes.join(', ')),
      ),
      h('td', {}, h('code', { class: 'key-label' }, `${key.prefix}…${key.last4}`)),
      h('td', {}, formatDate(key.lastUsedAt)),
      h('td', {}, `${usage.requests} requests, ${tokens} tokens${usage.refusals ? `, ${usage.refusals} refused` : ''}`),
      h('td', {}, limitsText(key)),
      h('td', {}, status(key)),
      h('td', {}, key.revokedAt ? '' : actions(key, adminList)),
    );
  }

  function limitsText(key: ApiKey): string {
    const parts = [`${key.requestsPerMinute}/min`];
    if (key.tokensPerMinute !== null) parts.push(`${key.tokensPerMinute} tokens/min`);
    if (key.maxConcurrentStreams !== null) parts.push(`${key.maxConcurrentStreams} at once`);
    if (key.dailyTokenBudget !== null) parts.push(`${key.dailyTokenBudget} tokens/day`);
    if (key.models) parts.push(key.models.join(', '));
    return parts.join(' · ');
  }

  function actions(key: ApiKey, adminList: boolean): HTMLElement {
    const cell = h('div', { class: 'inline-control' });
    if (!adminList) {
      const grace = h('select', { 'aria-label': `When ${key.name}’s old secret stops after rotating` });
      for (const [seconds, label] of GRACE_CHOICES)
        grace.append(h('option', { value: String(seconds) }, `Old secret ${label}`));
      const rotate = h('button', { type: 'button' }, 'Rotate', h('span', { class: 'visually-hidden' }, ` ${key.name}`));
      rotate.addEventListener('click', async () => {
        try {
          const rotated = await busy(rotate, 'Rotating…', () =>
            request<NewKey>('POST', `/api/v1/api-keys/${encodeURIComponent(key.id)}/rotate`, {
              graceSeconds: Number(grace.value),
            }),
          );
          showSecret(rotated, 'rotated');
          await load();
        } catch (err) {
          alert.show(describeError(err));
        }
      });
      cell.append(grace, rotate);
    }
    const revoke = h(
      'button',
      { type: 'button', class: 'danger' },
      'Revoke',
      h('span', { class: 'visually-hidden' }, ` ${key.name}`),
    );
    revoke.addEventListener('click', async () => {
      try {
        await busy(revoke, 'Revoking…', () => send('DELETE', `/api/v1/api-keys/${encodeURIComponent(key.id)}`));
        ctx.announce(`${key.name} is revoked.`);
        await load();
      } catch (err) {
        alert.show(describeError(err));
      }
    });
    cell.append(revoke);
    return cell;
  }

  /** The secret, this once, with a copy button; dismissed, it is gone for good. */
  function showSecret({ key, apiKey }: NewKey, what: 'created' | 'rotated'): void {
    const output = h('input', {
      type: 'text',
      readonly: true,
      value: key,
      class: 'secret',
      'aria-label': 'Your new API key',
    });
    const copy = h('button', { type: 'button' }, 'Copy');
    const copied = h('span', { role: 'status', class: 'hint' });
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(key);
        copied.textContent = 'Copied.';
      } catch {
        output.select();
        copied.textContent = 'Select the key and copy it (Ctrl+C).';
      }
    });
    const done = h('button', { type: 'button' }, 'I have stored it');
    done.addEventListener('click', () => {
      replaceChildren(secretPanel);
      secretPanel.hidden = true;
    });
    replaceChildren(
      secretPanel,
      h(
        'h2',
        { id: 'secret-heading', tabindex: -1 },
        what === 'created' ? `Key “${apiKey.name}” created` : `Key “${apiKey.name}” rotated`,
      ),
      h('p', {}, 'Copy it now: it is shown this once. Only its first and last characters are kept.'),
      h('div', { class: 'inline-control' }, output, copy),
      copied,
      done,
    );
    secretPanel.hidden = false;
    secretPanel.querySelector<HTMLElement>('h2')?.focus();
  }

  function createForm(): HTMLElement {
    const name = field(
      'Name',
      h('input', { type: 'text', required: true, maxlength: 100 }),
      'Which backend or script uses it.',
    );
    const scopeBoxes = scopes.map((scope) =>
      h('input', { type: 'checkbox', value: scope, checked: scope === 'chat:use', id: `scope-${scope}` }),
    );
    const scopeSet = h(
      'fieldset',
      { class: 'field' },
      h('legend', {}, 'Scopes'),
      ...scopeBoxes.map((box) => h('label', { class: 'check', for: box.id }, box, ` ${box.value}`)),
    );
    const models = field(
      'Models',
      h('input', { type: 'text', maxlength: 400 }),
      'Comma-separated ids; empty: every model you may use.',
    );
    const rpm = field(
      'Requests per minute',
      h('input', { type: 'number', min: 1, max: 100000, inputmode: 'numeric' }),
      'Empty: the default.',
    );
    const tpm = field(
      'Tokens per minute',
      h('input', { type: 'number', min: 1, inputmode: 'numeric' }),
      'Empty: no limit of its own.',
    );
    const streams = field(
      'Answers at once',
      h('input', { type: 'number', min: 1, max: 20, inputmode: 'numeric' }),
      'Empty: your own limit.',
    );
    const budget = field(
      'Daily token budget',
      h('input', { type: 'number', min: 0, inputmode: 'numeric' }),
      'Counts toward your own budget too.',
    );
    const expiry = field('Expires on', h('input', { type: 'date' }), 'Empty: never.');
    const submit = h('button', { type: 'submit' }, 'Create key');
    const form = h(
      'form',
      { class: 'panel key-form', 'aria-labelledby': 'create-heading' },
      h('h2', { id: 'create-heading' }, 'New key'),
      name.row,
      scopeSet,
      models.row,
      rpm.row,
      tpm.row,
      streams.row,
      budget.row,
      expiry.row,
      submit,
    );
    const num = (input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement) =>
      input.value.trim() === '' ? undefined : Number(input.value);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      name.setError(null);
      const modelList = models.control.value
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean);
      const body = {
        name: name.control.value.trim(),
        scopes: scopeBoxes.filter((box) => box.checked).map((box) => box.value),
        ...(modelList.length ? { models: modelList } : {}),
        requestsPerMinute: num(rpm.control),
        tokensPerMinute: num(tpm.control),
        maxConcurrentStreams: num(streams.control),
        dailyTokenBudget: num(budget.control),
        // The end of the chosen day, in UTC.
        ...(expiry.control.value ? { expiresAt: `${expiry.control.value}T23:59:59Z` } : {}),
      };
      if (!body.name) {
        name.setError('Give the key a name.');
        return;
      }
      try {
        const created = await busy(submit, 'Creating…', () => request<NewKey>('POST', '/api/v1/api-keys', body));
        form.reset();
        alert.show(null);
        showSecret(created, 'created');
        await load();
      } catch (err) {
        alert.show(describeError(err));
      }
    });
    return form;
  }

  const table = (label: string, rows: HTMLElement) =>
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': label },
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, label),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Name', 'Key', 'Last used', 'Today (UTC)', 'Limits', 'Status', 'Actions'].map((t) =>
              h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        rows,
      ),
    );

  void load();
  const el = h(
    'section',
    { class: 'page' },
    h('h1', { tabindex: -1 }, 'API keys'),
    h(
      'p',
      { class: 'lede' },
      'Keys let your own backends and scripts use the assistant: send one as X-API-Key, or as the API key of an OpenAI SDK pointed at /v1.',
    ),
    alert.el,
    secretPanel,
    createForm(),
    h('h2', {}, 'Your keys'),
    table('Your API keys', body),
    ...(isAdmin ? [h('h2', {}, 'All keys'), table('Everyone’s live API keys', allBody), allPager] : []),
  );
  return { el, title: 'API keys' };
}
