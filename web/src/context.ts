import type { Role, User } from './api';
import type { ChatConfig } from './chat-api';

/** What every view may use from the shell. */
export type AppContext = {
  user: User;
  /** `null` when the server has no chat endpoints. */
  chat: ChatConfig | null;
  navigate(hash: string): void;
  /** Polite announcement for screen readers (and a visible toast). */
  announce(message: string): void;
};

export type View = { el: HTMLElement; title: string; dispose?(): void };

const RANK: Record<Role, number> = { viewer: 0, user: 1, moderator: 2, admin: 3 };

/** Mirrors the server's role ladder so the UI offers only what the API will allow. */
export const atLeast = (role: Role, needed: Role) => RANK[role] >= RANK[needed];
export const ROLES: Role[] = ['viewer', 'user', 'moderator', 'admin'];
