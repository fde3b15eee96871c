import { z } from '@hono/zod-openapi';
import { CONVERSATION_STATES, HANDOFF_TRIGGERS, MESSAGE_ROLES, ROLES, SYSTEM_NOTICES } from '../../db/schema';
import { ConversationSchema } from '../conversations/conversations.routes';

export const OperatorSchema = z
  .object({
    id: z.string().uuid(),
    displayName: z.string(),
    role: z.enum(ROLES).openapi({ description: 'Shown to customers as a role label.' }),
  })
  .openapi('Operator');

const CustomerSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('guest'),
      visitorId: z.string(),
      customerId: z.string().nullable().openapi({ description: 'The id the site’s server signed, if any.' }),
      email: z.string().nullable().openapi({ description: 'The email the site’s server signed, if any.' }),
    }),
    z.object({ kind: z.literal('account'), userId: z.string(), displayName: z.string(), email: z.string() }),
  ])
  .openapi('HandoffCustomer');

export const InboxItemSchema = z
  .object({
    conversationId: z.string().uuid(),
    title: z.string(),
    state: z.enum(CONVERSATION_STATES),
    site: z.object({ id: z.string(), name: z.string() }).nullable(),
    customer: CustomerSchema,
    handoffId: z.string().uuid().nullable(),
    trigger: z.enum(HANDOFF_TRIGGERS).nullable().openapi({
      description:
        '`customer` (the button), `assistant` (the model’s handoff_to_human tool) or `operator` (take-over).',
    }),
    reason: z.string().nullable(),
    summary: z.string().nullable().openapi({
      description: 'Written by the model once at handoff, within the token budget; null until then, or when skipped.',
    }),
    contactEmail: z.string().nullable().openapi({ description: 'An address the customer left for a reply.' }),
    requestedAt: z.string().nullable(),
    waitSeconds: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'How long the customer has waited (waiting only).' }),
    timedOut: z.boolean().openapi({ description: 'Nobody claimed it within HANDOFF_WAIT_MINUTES.' }),
    assignedTo: OperatorSchema.nullable(),
    claimedAt: z.string().nullable(),
    updatedAt: z.string(),
    messageCount: z.number().int(),
  })
  .openapi('InboxItem');

export const InboxSchema = z
  .object({
    waiting: z.array(InboxItemSchema).openapi({ description: 'Waiting for a person, longest wait first.' }),
    mine: z.array(InboxItemSchema).openapi({ description: 'Held by you.' }),
    others: z.array(InboxItemSchema).openapi({ description: 'Held by other operators (who handles what).' }),
    active: z.array(InboxItemSchema).openapi({
      description: 'Guest conversations the assistant answered in the last hour, which you may take over (claim).',
    }),
  })
  .openapi('Inbox');

export const LiveMessageSchema = z
  .object({
    id: z.string().uuid(),
    role: z.enum(MESSAGE_ROLES),
    content: z.string(),
    author: z.object({ name: z.string(), role: z.enum(ROLES) }).nullable(),
    notice: z.enum(SYSTEM_NOTICES).nullable(),
    createdAt: z.string(),
  })
  .openapi('HandoffMessage');

export const HandoffBodySchema = z
  .object({
    reason: z.string().trim().max(500).optional().openapi({ example: 'I was charged twice' }),
    email: z
      .email()
      .max(254)
      .optional()
      .openapi({ description: 'Where a person may write back if nobody is available.' }),
  })
  .strict()
  .openapi('HandoffRequest');

export const ReplyBodySchema = z
  .object({ text: z.string().max(32_000).openapi({ example: 'Hi, I’m Ana — I can see the double charge.' }) })
  .strict()
  .openapi('OperatorReply');

export const TransitionResultSchema = z
  .object({ conversation: ConversationSchema, item: InboxItemSchema.nullable() })
  .openapi('HandoffTransition');

export const HeldMessageSchema = z
  .object({
    conversationId: z.string().uuid(),
    messageId: z.string().uuid(),
    state: z.enum(CONVERSATION_STATES),
  })
  .openapi('HeldMessage');
