import { ApiError } from './api';
import { h, replaceChildren, uid } from './dom';

/** A labelled form control with a slot for its own error, wired up with aria-describedby. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement,
  hint?: string,
): { row: HTMLElement; control: typeof control; setError(message: string | null): void } {
  control.id ||= uid('f');
  const hintEl = hint ? h('p', { class: 'hint', id: uid('hint') }, hint) : null;
  const errorEl = h('p', { class: 'field-error', id: uid('err'), hidden: true });
  const describe = () => [hintEl?.id, errorEl.hidden ? null : errorEl.id].filter(Boolean).join(' ') || null;
  const sync = () => {
    const ids = describe();
    if (ids) control.setAttribute('aria-describedby', ids);
    else control.removeAttribute('aria-describedby');
  };
  sync();
  const row = h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl, errorEl);
  return {
    row,
    control,
    setError(message) {
      errorEl.textContent = message ?? '';
      errorEl.hidden = !message;
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
      sync();
    },
  };
}

/** A message area for a form or panel; role="alert" so assistive tech reads errors at once. */
export function alertBox(): { el: HTMLElement; show(message: string | null, kind?: 'error' | 'info'): void } {
  const el = h('p', { class: 'alert', role: 'alert', hidden: true });
  return {
    el,
    show(message, kind = 'error') {
      el.textContent = message ?? '';
      el.hidden = !message;
      el.className = `alert alert-${kind}`;
    },
  };
}

/** The sentence a person should see for a failed call. Server messages are written for users. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 429) return `${err.message} ${retryHint(err.retryAfter)}`.trim();
    return err.message;
  }
  if (err instanceof TypeError) return 'Could not reach the server. Check your connection and try again.';
  return 'Something went wrong. Please try again.';
}

export function retryHint(seconds: number | null): string {
  if (seconds === null) return 'Please wait a moment and try again.';
  if (seconds < 90) return `Please try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  return `Please try again in ${Math.ceil(seconds / 60)} minutes.`;
}

/** Keeps a button busy (disabled, with a label saying so) while `work` runs. */
export async function busy<T>(button: HTMLButtonElement, label: string, work: () => Promise<T>): Promise<T> {
  const original = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = original;
  }
}

/** Previous / "Page n of m" / Next, redrawn into `container`; `go` receives the page to show. */
export function renderPager(
  container: Element,
  current: number,
  result: { total: number; pageSize: number },
  go: (page: number) => void,
): void {
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const prev = h('button', { type: 'button', disabled: current <= 1 }, 'Previous');
  const next = h('button', { type: 'button', disabled: current >= pages }, 'Next');
  prev.addEventListener('click', () => go(current - 1));
  next.addEventListener('click', () => go(current + 1));
  replaceChildren(container, prev, h('span', {}, `Page ${current} of ${pages}`), next);
}
