import { createRoute, z } from '@hono/zod-openapi';
import { authErrors, bearerSecurity, errorResponse, IdParamSchema, jsonContent } from '../../../lib/common-schemas';
import { guard } from '../../auth/authenticate';

const tags = ['Live'];
const security = bearerSecurity;

const TicketSchema = z
  .object({
    url: z.string().openapi({
      example: 'wss://support.example.com/api/v1/live/conversations/7d9f1c1e-2f0b-4a57-9c5e-0e7b3c1b2a10?ticket=…',
    }),
    expiresAt: z.string().openapi({ description: 'The ticket is refused after this (30 seconds after issue).' }),
    seq: z.number().int().openapi({
      description:
        'The channel’s last event number when the ticket was issued: load the state, then connect with `&after=<seq>` to miss nothing in between.',
    }),
  })
  .openapi('LiveTicket');

const socketProtocol = `Open the URL with a WebSocket within 30 seconds; the ticket works once. Add \`&after=<seq>\` to be sent the events after that number first (or \`{"type":"reset","seq":n}\` when they are no longer kept: reload, then go on from \`n\`). Each message from the server is one JSON event \`{type:"message"|"state"|"typing", seq, conversationId, …}\`. A client may send \`{"type":"typing"}\` (relayed to the other side, at most one per 2 seconds) and the text \`ping\` (answered \`pong\`); anything binary, larger than 1 KiB or not a JSON object closes the socket with 1008. When the session or account ends (sign-out, session ended, deactivation, role change) the socket is closed with 4401: get a new access token before asking for a new ticket. A connection with a missing, used or expired ticket, or whose session ended, is answered 401; a request without \`Upgrade: websocket\`, 426.`;

const ticketErrors = {
  ...authErrors,
  403: errorResponse('Your role cannot follow this channel, or the caller is an API key (tickets are for browsers).'),
};

export const conversationTicket = createRoute({
  method: 'post',
  path: '/api/v1/conversations/{id}/live-ticket',
  tags,
  security,
  summary: 'A single-use WebSocket URL for a conversation’s live events',
  description: `For the conversation’s owner (an account holder or the guest whose conversation it is) and for operators who may see it. ${socketProtocol}`,
  middleware: guard(['chat:use', 'chat:guest']),
  request: { params: IdParamSchema() },
  responses: {
    200: jsonContent(TicketSchema, 'The socket URL and its expiry.'),
    404: errorResponse('No such conversation (or not yours to follow).'),
    ...ticketErrors,
  },
});

export const inboxTicket = createRoute({
  method: 'post',
  path: '/api/v1/inbox/live-ticket',
  tags,
  security,
  summary: 'A single-use WebSocket URL for the operators’ inbox events',
  description: `Operators only. New waiting conversations, claims and resolutions arrive as \`state\` events carrying the inbox item. ${socketProtocol}`,
  middleware: guard('inbox:operate'),
  responses: {
    200: jsonContent(TicketSchema, 'The socket URL and its expiry.'),
    ...ticketErrors,
  },
});

const connectQuery = z.object({
  ticket: z.string().max(100).optional().openapi({ description: 'From the ticket route.' }),
  after: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ description: 'The last event number the client has; the stored events after it are sent first.' }),
});

const connectResponses = {
  101: { description: 'Switching to the WebSocket.' },
  400: errorResponse('`after` is not a number.'),
  401: errorResponse('The ticket is missing, unknown, used or expired, or its session ended.'),
  426: errorResponse('Not a WebSocket upgrade request.'),
};

export const conversationSocket = createRoute({
  method: 'get',
  path: '/api/v1/live/conversations/{id}',
  tags,
  summary: 'A conversation’s live events (WebSocket)',
  description: socketProtocol,
  request: { params: IdParamSchema(), query: connectQuery },
  responses: connectResponses,
});

export const inboxSocket = createRoute({
  method: 'get',
  path: '/api/v1/live/inbox',
  tags,
  summary: 'The operators’ inbox live events (WebSocket)',
  description: socketProtocol,
  request: { query: connectQuery },
  responses: connectResponses,
});
