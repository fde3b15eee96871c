import { ApiError, enableTotp, setupTotp, verifySecondFactor } from '../api';
import { h, replaceChildren } from '../dom';
import { alertBox, busy, describeError, field } from '../ui';
import { qrCode } from './qr';

/** The code step of a sign-in: a TOTP code or a backup code for the `mfaToken` login gave. */
export function codeStep(mfaToken: string, onSignedIn: () => Promise<void>, restart: (message: string) => void) {
  const code = field(
    'Authentication code',
    h('input', {
      type: 'text',
      name: 'code',
      autocomplete: 'one-time-code',
      inputmode: 'text',
      required: true,
      maxlength: 40,
    }),
    'The 6-digit code from your authenticator app, or one of your backup codes.',
  );
  const alert = alertBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Verify');
  const form = h('form', { class: 'card auth-form', novalidate: true }, alert.el, code.row, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.show(null);
    const value = (code.control as HTMLInputElement).value.trim();
    if (!value) return alert.show('Enter a code.');
    try {
      await busy(submit, 'Verifying…', () => verifySecondFactor(mfaToken, value));
      await onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'MFA_TOKEN_INVALID') return restart(err.message);
      alert.show(describeError(err));
      (code.control as HTMLInputElement).value = '';
      code.control.focus();
    }
  });
  return h('div', {}, h('h2', {}, 'Two-factor authentication'), form);
}

/** The backup codes, shown once, with a reminder of what they are for. */
export function backupCodesPanel(codes: string[], next?: { label: string; action: () => void }) {
  const done = next ? h('button', { type: 'button', class: 'primary' }, next.label) : null;
  done?.addEventListener('click', () => next?.action());
  return h(
    'section',
    { class: 'card backup-codes', 'aria-labelledby': 'backup-title' },
    h('h2', { id: 'backup-title' }, 'Your backup codes'),
    h(
      'p',
      {},
      'Each code signs you in once if you lose your phone. They are shown only now: store them somewhere safe.',
    ),
    h('ul', { class: 'codes' }, ...codes.map((c) => h('li', {}, h('code', {}, c)))),
    done,
  );
}

/**
 * Set-up: a QR code (and the secret, for typing), then a code from the app to confirm. With an
 * enrolment `mfaToken` (a role that must have 2FA) confirming also signs in.
 */
export function enrolment(options: { mfaToken?: string; onEnabled(codes: string[]): void }) {
  const box = h('div', { class: 'enrolment' });
  const alert = alertBox();
  const start = h('button', { type: 'button', class: 'primary' }, 'Set up two-factor authentication');
  replaceChildren(box, alert.el, start);
  start.addEventListener('click', async () => {
    alert.show(null);
    try {
      const { secret, otpauthUri } = await busy(start, 'Preparing…', () => setupTotp(options.mfaToken));
      showSecret(secret, otpauthUri);
    } catch (err) {
      alert.show(describeError(err));
    }
  });

  function showSecret(secret: string, uri: string) {
    const code = field(
      'Code from your app',
      h('input', {
        type: 'text',
        name: 'totp',
        autocomplete: 'one-time-code',
        inputmode: 'numeric',
        maxlength: 6,
        required: true,
      }),
    );
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Turn on');
    const form = h('form', { class: 'auth-form', novalidate: true }, code.row, submit);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      alert.show(null);
      try {
        const codes = await busy(submit, 'Checking…', () =>
          enableTotp((code.control as HTMLInputElement).value.trim(), options.mfaToken),
        );
        options.onEnabled(codes);
      } catch (err) {
        alert.show(describeError(err));
      }
    });
    replaceChildren(
      box,
      alert.el,
      h(
        'p',
        {},
        'Scan this code with an authenticator app (or type the secret), then enter the 6-digit code it shows.',
      ),
      qrCode(uri, 'QR code for your authenticator app'),
      h('p', {}, 'Secret: ', h('code', { class: 'totp-secret' }, secret)),
      form,
    );
    code.control.focus();
  }
  return box;
}
