import { get, isSignedIn, logout, maybeSignedIn, onSignedOut, refreshSession, request, type User } from './api';
import { type ChatConfig, chatConfig } from './chat-api';
import { type AppContext, atLeast, type View } from './context';
import { h, replaceChildren } from './dom';
import { forgotView, outboxView, resetView, signinLinkView, verifyView } from './views/account';
import { apiKeysView } from './views/api-keys';
import { loginView, registerView } from './views/auth';
import { chatView } from './views/chat';
import { documentsView } from './views/documents';
import { faqView } from './views/faq';
import { inboxView } from './views/inbox';
import { securityView } from './views/security';
import { statsView } from './views/stats';
import { usersView } from './views/users';

/**
 * The shell: restores the session from the refresh cookie, then routes on the URL hash
 * (`#/chat/<id>`, `#/faq`, …). Hash routes need no server-side fallback, so every path the
 * Worker serves stays a real file.
 */
const main = must('main');
const nav = must('nav');
const account = must('account');
const announcer = must('announcer');

let user: User | null = null;
let chat: ChatConfig | null = null;
let current: View | null = null;
let flash: string | null = null;

function must(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html lacks #${id}`);
  return el;
}

function navigate(hash: string, message?: string): void {
  flash = message ?? null;
  if (location.hash === hash) route();
  else location.hash = hash;
}

function announce(message: string): void {
  // Clearing first makes a repeated message count as a change.
  announcer.textContent = '';
  setTimeout(() => (announcer.textContent = message), 50);
}

function route(): void {
  const [, name = '', param] = location.hash.match(/^#\/([^/]*)\/?(.*)$/) ?? [];
  current?.dispose?.();
  const arg = param ? decodeURIComponent(param) : null;
  const view = publicView(name, arg) ?? (user ? signedInView(user, name, arg) : signedOutView(name));
  current = view;
  flash = null;
  replaceChildren(main, view.el);
  document.title = `${view.title} · Support`;
  renderNav(name);
  // Move focus to the new heading so keyboard and screen-reader users start at the top.
  view.el.querySelector<HTMLElement>('h1')?.focus();
}

/** Pages a mailed link opens, signed in or not, and the development outbox. */
function publicView(name: string, token: string | null): View | null {
  const deps = { onSignedIn, flash, navigate };
  if (name === 'verify' && token) return verifyView(token, { ...deps, signedIn: user !== null });
  if (name === 'reset' && token) return resetView(token, deps);
  if (name === 'signin-link' && token) return signinLinkView(token, deps);
  if (name === 'outbox') return outboxView();
  if (name === 'forgot' && !user) return forgotView();
  return null;
}

function signedOutView(name: string): View {
  const deps = { onSignedIn, flash, navigate };
  return name === 'register' ? registerView(deps) : loginView(deps);
}

function signedInView(me: User, name: string, param: string | null): View {
  const ctx: AppContext = { user: me, chat, navigate, announce };
  const canChat = chat !== null && me.role !== 'viewer';
  if (name === 'users' && atLeast(me.role, 'moderator')) return usersView(ctx);
  if (name === 'inbox' && atLeast(me.role, 'moderator')) return inboxView(ctx, param);
  if (name === 'documents' && atLeast(me.role, 'moderator')) return documentsView(ctx);
  if (name === 'stats' && atLeast(me.role, 'admin')) return statsView();
  if (name === 'faq') return faqView(ctx);
  if (name === 'security') return securityView(ctx);
  if (name === 'keys' && me.role !== 'viewer') return apiKeysView(ctx);
  if (name === 'chat' || canChat) return chatView(ctx, name === 'chat' ? param : null);
  return faqView(ctx);
}

function renderNav(active: string): void {
  if (!user) {
    replaceChildren(nav);
    replaceChildren(account);
    return;
  }
  const links: [string, string][] = [];
  if (chat && user.role !== 'viewer') links.push(['chat', 'Chat']);
  links.push(['faq', 'FAQ']);
  if (user.role !== 'viewer') links.push(['keys', 'API keys']);
  if (atLeast(user.role, 'moderator')) links.push(['inbox', 'Inbox'], ['documents', 'Documents'], ['users', 'Users']);
  if (atLeast(user.role, 'admin')) links.push(['stats', 'Usage']);
  links.push(['security', 'Security']);
  const activeName = links.some(([name]) => name === active) ? active : (links[0]?.[0] ?? '');
  replaceChildren(
    nav,
    h(
      'ul',
      {},
      ...links.map(([name, label]) =>
        h('li', {}, h('a', { href: `#/${name}`, 'aria-current': name === activeName ? 'page' : null }, label)),
      ),
    ),
  );
  const signOut = h('button', { type: 'button', class: 'link-button' }, 'Log out');
  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    await logout().catch(() => undefined);
    user = null;
    document.getElementById('verify-banner')?.remove();
    navigate('#/login', 'You are signed out.');
  });
  replaceChildren(
    account,
    h('span', { class: 'whoami' }, user.username, h('span', { class: 'role' }, user.role)),
    signOut,
  );
  renderVerifyBanner(user);
}

/** Until the address is confirmed, chat is refused (403 EMAIL_NOT_VERIFIED): say so once, with a way to get a new link. */
function renderVerifyBanner(me: User): void {
  document.getElementById('verify-banner')?.remove();
  if (me.emailVerified) return;
  const resend = h('button', { type: 'button', class: 'link-button' }, 'Send the link again');
  const banner = h(
    'p',
    { id: 'verify-banner', class: 'banner', role: 'status' },
    `Confirm your email address to chat: we sent a link to ${me.email}. `,
    resend,
  );
  resend.addEventListener('click', async () => {
    resend.disabled = true;
    await request('POST', '/api/v1/auth/email/resend', { email: me.email }, { auth: false }).catch(() => undefined);
    banner.textContent = 'A new link is on its way (older links no longer work).';
  });
  main.before(banner);
}

async function onSignedIn(): Promise<void> {
  const [me, config] = await Promise.all([get<{ user: User }>('/api/v1/users/me'), chatConfig().catch(() => null)]);
  user = me.user;
  chat = config;
  const hash = location.hash;
  const entry = ['', '#/', '#/login', '#/register', '#/forgot'];
  if (entry.includes(hash) || hash.startsWith('#/signin-link/') || hash.startsWith('#/reset/')) navigate('#/');
  else route();
}

onSignedOut(() => {
  user = null;
  document.getElementById('verify-banner')?.remove();
  navigate('#/login', 'Your session has ended. Please sign in again.');
});

window.addEventListener('hashchange', () => {
  // Only `#/…` addresses are routes; anything else (e.g. the skip link's target) is not.
  if (location.hash.startsWith('#/') || location.hash === '') route();
});

must('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

// A reload keeps you signed in: the refresh cookie is traded for a fresh in-memory token.
void (async () => {
  try {
    if (maybeSignedIn() && (await refreshSession()) && isSignedIn()) {
      await onSignedIn();
      return;
    }
  } catch {
    // Fall through to the sign-in page; it reports connection trouble when it is used.
  }
  route();
})();
