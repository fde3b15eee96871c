import { createRouter } from '../../lib/create-router';
import { currentUser } from '../auth/authenticate';
import { findOwnConversation, ownerOf } from '../conversations/conversations.service';
import { leaveContact } from './contact.routes';
import { leaveContactEmail } from './contact.service';
import { handoffContextOf } from './handoff.context';

/** The customer's side of "nobody there": leaving an address for a reply. Owner only. */
export const handoffContactRouter = createRouter().openapi(leaveContact, async (c) => {
  const ctx = handoffContextOf(c);
  const conversation = await findOwnConversation(ctx.db, ownerOf(currentUser(c)), c.req.valid('param').id);
  return c.json(await leaveContactEmail(ctx, conversation, c.req.valid('json').email), 200);
});
