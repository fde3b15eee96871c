import { ApiError, get, request } from './api';
import { type ConversationState, type LiveMessage, LiveRefused, type LiveTicket, type OperatorView } from './live';

export type CustomerView =
  | { kind: 'guest'; visitorId: string; customerId: string | null; email: string | null }
  | { kind: 'account'; userId: string; displayName: string; email: string };

/** One conversation as the operators' inbox lists it (the server's InboxItem). */
export type InboxItem = {
  conversationId: string;
  title: string;
  state: ConversationState;
  site: { id: string; name: string } | null;
  customer: CustomerView;
  handoffId: string | null;
  trigger: 'customer' | 'assistant' | 'operator' | null;
  reason: string | null;
  summary: string | null;
  contactEmail: string | null;
  requestedAt: string | null;
  waitSeconds: number | null;
  timedOut: boolean;
  assignedTo: OperatorView | null;
  claimedAt: string | null;
  updatedAt: string;
  messageCount: number;
};

/** `active`: guest conversations the assistant is answering right now, which an operator may take over. */
export type Inbox = { waiting: InboxItem[]; mine: InboxItem[]; others: InboxItem[]; active?: InboxItem[] };

export type OperatorConversation = { item: InboxItem; messages: LiveMessage[] };

type Transition = { conversation: { id: string; state: ConversationState }; item: InboxItem | null };

const conversationPath = (id: string, tail = '') => `/api/v1/conversations/${encodeURIComponent(id)}${tail}`;

export const requestHandoff = (id: string, reason: string | null) =>
  request<Transition>('POST', conversationPath(id, '/handoff'), reason ? { reason } : {});

export const getInbox = () => get<Inbox>('/api/v1/inbox');
export const getInboxConversation = (id: string) =>
  get<OperatorConversation>(`/api/v1/inbox/conversations/${encodeURIComponent(id)}`);
export const claim = (id: string) => request<Transition>('POST', conversationPath(id, '/claim'), {});
export const resolve = (id: string) => request<Transition>('POST', conversationPath(id, '/resolve'), {});
export const release = (id: string) => request<Transition>('POST', conversationPath(id, '/release'), {});
export const reply = (id: string, text: string) =>
  request<{ message: LiveMessage }>('POST', conversationPath(id, '/messages'), { text });

/** A ticket source for LiveConnection: refusals that a retry cannot fix stop the connection. */
export function ticketFrom(path: string): () => Promise<LiveTicket> {
  return async () => {
    try {
      return await request<LiveTicket>('POST', path, {});
    } catch (err) {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
        throw new LiveRefused(err.message);
      }
      throw err;
    }
  };
}

export const conversationTicket = (id: string) => ticketFrom(conversationPath(id, '/live-ticket'));
export const inboxTicket = () => ticketFrom('/api/v1/inbox/live-ticket');
