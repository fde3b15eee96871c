import { ApiError, login, request } from '../api';
import { h } from '../dom';
import { alertBox, busy, describeError, field, retryHint } from '../ui';

type AuthDeps = { onSignedIn(): Promise<void>; flash: string | null; navigate(hash: string, flash?: string): void };

/**
 * Sign-in. The API gives one answer (401 INVALID_CREDENTIALS) for a wrong email, a wrong
 * password and a locked account, so the page cannot and does not say which; rate limits (429)
 * say when to try again and keep the button disabled until then.
 */
export function loginView(deps: AuthDeps) {
  const email = field('Email', h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true }));
  const password = field(
    'Password',
    h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }),
  );
  const alert = alertBox();
  if (deps.flash) alert.show(deps.flash, 'info');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');

  const form = h(
    'form',
    { class: 'card auth-form', novalidate: true, 'aria-labelledby': 'auth-title' },
    alert.el,
    email.row,
    password.row,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.show(null);
    const address = (email.control as HTMLInputElement).value.trim();
    const secret = (password.control as HTMLInputElement).value;
    if (!address || !secret) {
      alert.show('Enter your email and password.');
      return;
    }
    try {
      await busy(submit, 'Signing in…', async () => {
        await login(address, secret);
      });
      await deps.onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        alert.show(err.message || 'The email or password is incorrect, or the account is temporarily locked.');
        (password.control as HTMLInputElement).value = '';
        password.control.focus();
      } else if (err instanceof ApiError && err.status === 429) {
        alert.show(`Too many sign-in attempts. ${retryHint(err.retryAfter)}`);
        holdButton(submit, err.retryAfter);
      } else {
        alert.show(describeError(err));
      }
    }
  });

  const el = h(
    'section',
    { class: 'auth' },
    h('h1', { id: 'auth-title', tabindex: -1 }, 'Sign in'),
    form,
    h('p', {}, 'New here? ', h('a', { href: '#/register' }, 'Create an account')),
  );
  return { el, title: 'Sign in' };
}

/** Registration; a success signs the person straight in with the same credentials. */
export function registerView(deps: AuthDeps) {
  const email = field('Email', h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true }));
  const username = field(
    'Username',
    h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true, maxlength: 50 }),
    '3–50 letters, digits, “_” or “-”.',
  );
  const fullName = field(
    'Full name (optional)',
    h('input', { type: 'text', name: 'fullName', autocomplete: 'name', maxlength: 100 }),
  );
  const password = field(
    'Password',
    h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, maxlength: 128 }),
    'At least 12 characters. Avoid common passwords and your email or username.',
  );
  const fields = { email, username, fullName, password };
  const alert = alertBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create account');
  const value = (f: { control: HTMLElement }) => (f.control as HTMLInputElement).value;

  const form = h(
    'form',
    { class: 'card auth-form', novalidate: true, 'aria-labelledby': 'auth-title' },
    alert.el,
    email.row,
    username.row,
    fullName.row,
    password.row,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.show(null);
    for (const f of Object.values(fields)) f.setError(null);
    const body = {
      email: value(email).trim(),
      username: value(username).trim(),
      password: value(password),
      ...(value(fullName).trim() ? { fullName: value(fullName).trim() } : {}),
    };
    try {
      await busy(submit, 'Creating account…', () => request('POST', '/api/v1/auth/register', body, { auth: false }));
    } catch (err) {
      showRegisterError(err, fields, alert.show);
      return;
    }
    try {
      // A known email also gets 201 (no enumeration), so signing in is what tells the two apart.
      await login(body.email, body.password);
      await deps.onSignedIn();
    } catch {
      deps.navigate(
        '#/login',
        'Your account is ready. If this email was already registered, sign in with that account’s password.',
      );
    }
  });

  const el = h(
    'section',
    { class: 'auth' },
    h('h1', { id: 'auth-title', tabindex: -1 }, 'Create an account'),
    form,
    h('p', {}, 'Already registered? ', h('a', { href: '#/login' }, 'Sign in')),
  );
  return { el, title: 'Create an account' };
}

type FieldSet = Record<'email' | 'username' | 'fullName' | 'password', ReturnType<typeof field>>;

function showRegisterError(err: unknown, fields: FieldSet, show: (message: string) => void): void {
  if (!(err instanceof ApiError)) {
    show(describeError(err));
    return;
  }
  show(err.status === 429 ? describeError(err) : err.message);
  if (err.code.startsWith('PASSWORD_')) fields.password.setError(err.message);
  if (err.code === 'USERNAME_TAKEN') fields.username.setError(err.message);
  for (const detail of err.details) {
    const target = fields[detail.path as keyof FieldSet];
    target?.setError(detail.message);
  }
  const firstInvalid = Object.values(fields).find((f) => f.control.getAttribute('aria-invalid') === 'true');
  firstInvalid?.control.focus();
}

/** Keeps a button disabled for the Retry-After period, so nobody hammers a limit by accident. */
function holdButton(button: HTMLButtonElement, seconds: number | null): void {
  button.disabled = true;
  setTimeout(() => (button.disabled = false), Math.min(seconds ?? 30, 900) * 1000);
}
