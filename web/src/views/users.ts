import { get, type Page, query, type Role, request, type User } from '../api';
import { type AppContext, atLeast, ROLES, type View } from '../context';
import { formatDate, h, replaceChildren } from '../dom';
import { alertBox, busy, describeError, renderPager } from '../ui';

const PAGE_SIZE = 20;

/** Operators' user list: moderators may unlock, only admins change roles (as the API enforces). */
export function usersView(ctx: AppContext): View {
  const canManage = atLeast(ctx.user.role, 'admin');
  let page = 1;
  const alert = alertBox();
  const body = h('tbody');
  const pager = h('nav', { class: 'pager', 'aria-label': 'User list pages' });
  const caption = h('caption', { class: 'visually-hidden' }, 'Users');

  async function load(): Promise<void> {
    try {
      const result = await get<Page<User>>(`/api/v1/users${query({ page, pageSize: PAGE_SIZE })}`);
      replaceChildren(body, ...result.items.map(row));
      caption.textContent = `Users, page ${page}, ${result.total} in total`;
      renderPager(pager, page, result, (to) => {
        page = to;
        void load();
      });
    } catch (err) {
      alert.show(describeError(err));
    }
  }

  function row(user: User): HTMLElement {
    const name = user.fullName ? `${user.username} (${user.fullName})` : user.username;
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, h('span', { class: 'cell-main' }, name), h('span', { class: 'cell-sub' }, user.email)),
      h('td', {}, canManage ? roleControl(user) : user.role),
      h('td', {}, statusCell(user)),
      h('td', {}, formatDate(user.createdAt)),
      h('td', {}, formatDate(user.lastLoginAt)),
    );
  }

  function roleControl(user: User): HTMLElement {
    const select = h('select', { 'aria-label': `Role for ${user.username}` });
    for (const role of ROLES) select.append(h('option', { value: role, selected: role === user.role }, role));
    const apply = h(
      'button',
      { type: 'button' },
      'Change',
      h('span', { class: 'visually-hidden' }, ` role of ${user.username}`),
    );
    apply.addEventListener('click', async () => {
      const role = select.value as Role;
      if (role === user.role) return;
      try {
        const { user: updated } = await busy(apply, 'Saving…', () =>
          request<{ user: User }>('PATCH', `/api/v1/users/${encodeURIComponent(user.id)}/role`, { role }),
        );
        user.role = updated.role;
        ctx.announce(`${user.username} is now ${updated.role}.`);
        alert.show(null);
      } catch (err) {
        select.value = user.role;
        alert.show(describeError(err));
      }
    });
    return h('div', { class: 'inline-control' }, select, apply);
  }

  function statusCell(user: User): HTMLElement {
    const cell = h(
      'div',
      { class: 'inline-control' },
      h('span', { class: user.isActive ? 'badge' : 'badge badge-muted' }, user.isActive ? 'Active' : 'Inactive'),
      h(
        'span',
        { class: user.emailVerified ? 'badge' : 'badge badge-muted' },
        user.emailVerified ? 'Verified' : 'Unverified',
      ),
      user.mfaEnabled ? h('span', { class: 'badge' }, '2FA') : null,
    );
    if (user.isLocked) {
      const unlock = h(
        'button',
        { type: 'button' },
        'Unlock',
        h('span', { class: 'visually-hidden' }, ` ${user.username}`),
      );
      cell.append(h('span', { class: 'badge badge-warn' }, 'Locked'), unlock);
      unlock.addEventListener('click', async () => {
        try {
          await busy(unlock, 'Unlocking…', () =>
            request('POST', `/api/v1/users/${encodeURIComponent(user.id)}/unlock`, {}),
          );
          ctx.announce(`${user.username} is unlocked.`);
          await load();
        } catch (err) {
          alert.show(describeError(err));
        }
      });
    }
    return cell;
  }

  void load();
  const el = h(
    'section',
    { class: 'page' },
    h('h1', { tabindex: -1 }, 'Users'),
    alert.el,
    // Focusable so keyboard users can scroll the table sideways on a phone.
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'User table' },
      h(
        'table',
        {},
        caption,
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['User', 'Role', 'Status', 'Created', 'Last sign-in'].map((label) => h('th', { scope: 'col' }, label)),
          ),
        ),
        body,
      ),
    ),
    pager,
  );
  return { el, title: 'Users' };
}
