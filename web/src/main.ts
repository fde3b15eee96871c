import { get, isSignedIn, logout, maybeSignedIn, onSignedOut, refreshSession, type User } from './api';
import { type ChatConfig, chatConfig } from './chat-api';
import { type AppContext, atLeast, type View } from './context';
import { h, replaceChildren } from './dom';
import { apiKeysView } from './views/api-keys';
import { loginView, registerView } from './views/auth';
import { chatView } from './views/chat';
import { documentsView } from './views/documents';
import { faqView } from './views/faq';
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
  const view = user ? signedInView(user, name, param ? decodeURIComponent(param) : null) : signedOutView(name);
  current = view;
  flash = null;
  replaceChildren(main, view.el);
  document.title = `${view.title} · Support`;
  renderNav(name);
  // Move focus to the new heading so keyboard and screen-reader users start at the top.
  view.el.querySelector<HTMLElement>('h1')?.focus();
}

function signedOutView(name: string): View {
  const deps = { onSignedIn, flash, navigate };
  return name === 'register' ? registerView(deps) : loginView(deps);
}

function signedInView(me: User, name: string, param: string | null): View {
  const ctx: AppContext = { user: me, chat, navigate, announce };
  const canChat = chat !== null && me.role !== 'viewer';
  if (name === 'users' && atLeast(me.role, 'moderator')) return usersView(ctx);
  if (name === 'documents' && atLeast(me.role, 'moderator')) return documentsView(ctx);
  if (name === 'stats' && atLeast(me.role, 'admin')) return statsView();
  if (name === 'faq') return faqView(ctx);
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
  if (atLeast(user.role, 'moderator')) links.push(['documents', 'Documents'], ['users', 'Users']);
  if (atLeast(user.role, 'admin')) links.push(['stats', 'Usage']);
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
    navigate('#/login', 'You are signed out.');
  });
  replaceChildren(
    account,
    h('span', { class: 'whoami' }, user.username, h('span', { class: 'role' }, user.role)),
    signOut,
  );
}

async function onSignedIn(): Promise<void> {
  const [me, config] = await Promise.all([get<{ user: User }>('/api/v1/users/me'), chatConfig().catch(() => null)]);
  user = me.user;
  chat = config;
  const hash = location.hash;
  if (!hash || hash === '#/' || hash === '#/login' || hash === '#/register') navigate('#/');
  else route();
}

onSignedOut(() => {
  user = null;
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
