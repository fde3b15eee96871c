import { ApiError, login, request, type SignInStep } from '../api';
import { h, replaceChildren } from '../dom';
import { alertBox, busy, describeError, field, retryHint } from '../ui';
import { backupCodesPanel, codeStep, enrolment } from './second-factor';

export type AuthDeps = {
  onSignedIn(): Promise<void>;
  flash: string | null;
  navigate(hash: string, flash?: string): void;
};

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
      const step = await busy(submit, 'Signing in…', () => login(address, secret));
      await continueSignIn(step, form, deps);
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
    h('p', {}, h('a', { href: '#/forgot' }, 'Forgot your password?')),
    h('p', {}, 'New here? ', h('a', { href: '#/register' }, 'Create an account')),
  );
  return { el, title: 'Sign in' };
}

/**
 * After a first factor: done, or the code step, or (a role that must have 2FA) setting it up, which
 * signs in once confirmed. `form` is what the next step replaces.
 */
export async function continueSignIn(step: SignInStep, form: HTMLElement, deps: AuthDeps): Promise<void> {
  const restart = (message: string) => deps.navigate('#/login', message);
  if (step.kind === 'signed-in') return deps.onSignedIn();
  if (step.kind === 'mfa') {
    const next = codeStep(step.mfaToken, deps.onSignedIn, restart);
    form.replaceWith(next);
    next.querySelector('input')?.focus();
    return;
  }
  const panel = h('div', { class: 'card' });
  replaceChildren(
    panel,
    h('h2', {}, 'Set up two-factor authentication'),
    h('p', {}, 'Your role must use a second factor to sign in. Set it up now to continue.'),
    enrolment({
      mfaToken: step.mfaToken,
      onEnabled: (codes) =>
        replaceChildren(panel, backupCodesPanel(codes, { label: 'Continue', action: () => void deps.onSignedIn() })),
    }),
  );
  form.replaceWith(panel);
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
    // The same answer for a known email (no enumeration): the mail is what tells the two apart.
    deps.navigate(
      '#/login',
      `Check your email: we sent a link to ${body.email} to confirm the address. You can sign in meanwhile; chat opens once it is confirmed.`,
    );
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
