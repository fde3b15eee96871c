import { get, request, type User } from '../api';
import type { AppContext } from '../context';
import { h, replaceChildren } from '../dom';
import { alertBox, busy, describeError, field } from '../ui';
import { backupCodesPanel, enrolment } from './second-factor';

/** `#/security`: two-factor authentication on or off, and new backup codes. */
export function securityView(ctx: AppContext) {
  const body = h('div', {});
  const render = (me: User) => replaceChildren(body, me.mfaEnabled ? enabledPanel() : disabledPanel());

  const reload = async () => render((await get<{ user: User }>('/api/v1/users/me')).user);

  function disabledPanel() {
    const panel = h('section', { class: 'card' }, h('h2', {}, 'Two-factor authentication is off'));
    panel.append(
      enrolment({
        onEnabled: (codes) => {
          ctx.announce('Two-factor authentication is on.');
          replaceChildren(
            body,
            h('p', { role: 'status' }, 'Two-factor authentication is on.'),
            backupCodesPanel(codes, { label: 'Done', action: () => void reload() }),
          );
        },
      }),
    );
    return panel;
  }

  function enabledPanel() {
    const alert = alertBox();
    const regenCode = field(
      'Current code',
      h('input', { type: 'text', name: 'regen-code', autocomplete: 'one-time-code', required: true, maxlength: 40 }),
    );
    const regen = h('button', { type: 'submit' }, 'New backup codes');
    const regenForm = h('form', { class: 'auth-form', novalidate: true }, regenCode.row, regen);
    regenForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      alert.show(null);
      try {
        const { backupCodes } = await busy(regen, 'Working…', () =>
          request<{ backupCodes: string[] }>('POST', '/api/v1/auth/mfa/backup-codes', {
            code: (regenCode.control as HTMLInputElement).value.trim(),
          }),
        );
        replaceChildren(body, backupCodesPanel(backupCodes, { label: 'Done', action: () => void reload() }));
      } catch (err) {
        alert.show(describeError(err));
      }
    });

    const password = field(
      'Password',
      h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }),
    );
    const offCode = field(
      'Current code',
      h('input', { type: 'text', name: 'off-code', autocomplete: 'one-time-code', required: true, maxlength: 40 }),
    );
    const off = h('button', { type: 'submit' }, 'Turn off');
    const offForm = h('form', { class: 'auth-form', novalidate: true }, password.row, offCode.row, off);
    offForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      alert.show(null);
      try {
        await busy(off, 'Turning off…', () =>
          request('POST', '/api/v1/auth/mfa/totp/disable', {
            password: (password.control as HTMLInputElement).value,
            code: (offCode.control as HTMLInputElement).value.trim(),
          }),
        );
        ctx.announce('Two-factor authentication is off.');
        await reload();
      } catch (err) {
        alert.show(describeError(err));
      }
    });
    return h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Two-factor authentication is on'),
      alert.el,
      h('h3', {}, 'Backup codes'),
      h('p', {}, 'Replace your backup codes (the old ones stop working).'),
      regenForm,
      h('h3', {}, 'Turn off'),
      offForm,
    );
  }

  render(ctx.user);
  const el = h('section', { class: 'page' }, h('h1', { tabindex: -1 }, 'Security'), body);
  return { el, title: 'Security' };
}
