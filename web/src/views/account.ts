import { ApiError, get, loginWithLink, request } from '../api';
import { formatDate, h, replaceChildren } from '../dom';
import { alertBox, busy, describeError, field } from '../ui';
import { type AuthDeps, continueSignIn } from './auth';

type Message = { message: string };

/** `#/verify/<token>`: the link from the verification mail confirms the address as soon as it opens. */
export function verifyView(token: string, deps: AuthDeps & { signedIn: boolean }) {
  const status = h('p', { role: 'status' }, 'Confirming your email address…');
  const next = h('p', {});
  void (async () => {
    try {
      const { message } = await request<Message>('POST', '/api/v1/auth/email/verify', { token }, { auth: false });
      status.textContent = message;
      replaceChildren(
        next,
        h('a', { href: deps.signedIn ? '#/chat' : '#/login' }, deps.signedIn ? 'Start chatting' : 'Sign in'),
      );
    } catch (err) {
      status.textContent = describeError(err);
      replaceChildren(next, h('a', { href: '#/login' }, 'Sign in'), ' and ask for a new link from the chat page.');
    }
  })();
  const el = h(
    'section',
    { class: 'auth' },
    h('h1', { tabindex: -1 }, 'Confirm your email'),
    h('div', { class: 'card' }, status, next),
  );
  return { el, title: 'Confirm your email' };
}

/** `#/forgot`: always the same answer, whether or not the address has an account. */
export function forgotView() {
  const email = field('Email', h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true }));
  const alert = alertBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Send reset link');
  const form = h('form', { class: 'card auth-form', novalidate: true }, alert.el, email.row, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.show(null);
    try {
      const { message } = await busy(submit, 'Sending…', () =>
        request<Message>(
          'POST',
          '/api/v1/auth/password/forgot',
          { email: (email.control as HTMLInputElement).value.trim() },
          { auth: false },
        ),
      );
      alert.show(message, 'info');
    } catch (err) {
      alert.show(describeError(err));
    }
  });
  const el = h(
    'section',
    { class: 'auth' },
    h('h1', { tabindex: -1 }, 'Reset your password'),
    form,
    h('p', {}, h('a', { href: '#/login' }, 'Back to sign in')),
  );
  return { el, title: 'Reset your password' };
}

/** `#/reset/<token>`: a new password; success does not sign in (the second factor is asked for as usual). */
export function resetView(token: string, deps: AuthDeps) {
  const password = field(
    'New password',
    h('input', { type: 'password', name: 'newPassword', autocomplete: 'new-password', required: true, maxlength: 128 }),
    'At least 12 characters. Avoid common passwords and your email or username.',
  );
  const alert = alertBox();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Change password');
  const form = h('form', { class: 'card auth-form', novalidate: true }, alert.el, password.row, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.show(null);
    password.setError(null);
    try {
      const { message } = await busy(submit, 'Changing…', () =>
        request<Message>(
          'POST',
          '/api/v1/auth/password/reset',
          { token, newPassword: (password.control as HTMLInputElement).value },
          { auth: false },
        ),
      );
      deps.navigate('#/login', message);
    } catch (err) {
      if (err instanceof ApiError && err.code.startsWith('PASSWORD_')) password.setError(err.message);
      alert.show(describeError(err));
    }
  });
  const el = h('section', { class: 'auth' }, h('h1', { tabindex: -1 }, 'Choose a new password'), form);
  return { el, title: 'Choose a new password' };
}

/** `#/signin-link/<token>`: the mailed link that lets the owner past the account-wide lock. */
export function signinLinkView(token: string, deps: AuthDeps) {
  const status = h('p', { role: 'status' }, 'Signing you in…');
  const slot = h('div', {}, status);
  void (async () => {
    try {
      await continueSignIn(await loginWithLink(token), status, deps);
    } catch (err) {
      status.textContent = describeError(err);
    }
  })();
  const el = h('section', { class: 'auth' }, h('h1', { tabindex: -1 }, 'Sign in'), slot);
  return { el, title: 'Sign in' };
}

type OutboxMail = { to: string; subject: string; text: string; sentAt: string };

/**
 * `#/outbox`, development only: the mail `npm run dev` kept instead of sending. Links to this app are
 * made clickable; everything else stays text.
 */
export function outboxView() {
  const list = h('div', { class: 'outbox' }, h('p', {}, 'Loading…'));
  const refresh = h('button', { type: 'button' }, 'Refresh');
  const load = async () => {
    try {
      const { messages } = await get<{ messages: OutboxMail[] }>('/api/v1/dev/outbox');
      replaceChildren(list, ...(messages.length ? messages.map(mailCard) : [h('p', {}, 'No mail yet.')]));
    } catch (err) {
      replaceChildren(
        list,
        h(
          'p',
          {},
          err instanceof ApiError && err.status === 404
            ? 'The outbox exists only on a local development server.'
            : describeError(err),
        ),
      );
    }
  };
  refresh.addEventListener('click', () => void load());
  void load();
  const el = h('section', { class: 'page' }, h('h1', { tabindex: -1 }, 'Development outbox'), refresh, list);
  return { el, title: 'Development outbox' };
}

function mailCard(mail: OutboxMail) {
  const body = h('div', { class: 'mail-text' });
  for (const line of mail.text.split('\n')) {
    const own = line.startsWith(`${location.origin}/`);
    body.append(h('p', {}, own ? h('a', { href: line }, line) : line));
  }
  return h(
    'article',
    { class: 'card mail' },
    h('h2', {}, mail.subject),
    h('p', { class: 'mail-meta' }, `To ${mail.to} · ${formatDate(mail.sentAt)}`),
    body,
  );
}
