import type { ConversationState, Role, SystemNotice } from '../../db/schema';

/** An operator as customers and other operators see them: a display name and a role label. */
export type OperatorView = { id: string; displayName: string; role: Role };

/** Who the customer is, as far as we know: a website visitor (with the identity their site signed) or an account. */
export type CustomerView =
  | { kind: 'guest'; visitorId: string; customerId: string | null; email: string | null }
  | { kind: 'account'; userId: string; displayName: string; email: string };

/** One conversation as the operators' inbox lists it. */
export type InboxItem = {
  conversationId: string;
  title: string;
  state: ConversationState;
  site: { id: string; name: string } | null;
  customer: CustomerView;
  handoffId: string | null;
  trigger: 'customer' | 'assistant' | 'operator' | null;
  reason: string | null;
  /** The model-written summary of the conversation at handoff; null until written (or when the budget was spent). */
  summary: string | null;
  contactEmail: string | null;
  requestedAt: string | null;
  /** Seconds since the handoff was asked for, while waiting. */
  waitSeconds: number | null;
  timedOut: boolean;
  assignedTo: OperatorView | null;
  claimedAt: string | null;
  updatedAt: string;
  messageCount: number;
};

/** A stored message as clients see it; operator messages carry the operator's name and role label. */
export type LiveMessage = {
  id: string;
  role: 'user' | 'assistant' | 'operator' | 'system';
  content: string;
  author: { name: string; role: Role } | null;
  /** System messages: what the notice means (`nobody_available`: nobody claimed in time, an email may be left). */
  notice: SystemNotice | null;
  createdAt: string;
};

/**
 * What a live channel carries. `seq` is given by the channel (monotonic per channel) when the event is
 * published; a client that reconnects with `?after=<seq>` gets the stored events after it (typing is not stored).
 */
export type LiveEventBody =
  | { type: 'message'; conversationId: string; message: LiveMessage }
  | {
      type: 'state';
      conversationId: string;
      state: ConversationState;
      assignedTo: OperatorView | null;
      /** On the inbox channel: the conversation as the inbox lists it now (null once it left the inbox). */
      item?: InboxItem | null;
    }
  | { type: 'typing'; conversationId: string; from: 'customer' | 'operator'; name?: string };

export type LiveEvent = LiveEventBody & { seq: number };
