import { createRouter } from '../../lib/create-router';
import { dbOf } from '../../lib/db-context';
import { conversationsChanged } from '../admission/admission.client';
import { currentUser } from '../auth/authenticate';
import * as routes from './conversations.routes';
import * as service from './conversations.service';

/** Messages returned with one conversation; longer histories are cut to the latest this many. */
const MESSAGE_PAGE = 500;

export const conversationsRouter = createRouter()
  .openapi(routes.list, async (c) => {
    const { page, pageSize } = c.req.valid('query');
    return c.json(await service.listConversations(dbOf(c), service.ownerOf(currentUser(c)), page, pageSize), 200);
  })
  .openapi(routes.get, async (c) =>
    c.json(
      await service.getConversationWithMessages(
        dbOf(c),
        service.ownerOf(currentUser(c)),
        c.req.valid('param').id,
        MESSAGE_PAGE,
      ),
      200,
    ),
  )
  .openapi(routes.remove, async (c) => {
    const caller = currentUser(c);
    await service.deleteConversation(dbOf(c), service.ownerOf(caller), c.req.valid('param').id);
    await conversationsChanged(
      c.env.ADMISSION,
      caller.id,
      c.get('requestId'),
      caller.role === 'guest' ? 'visitor' : 'user',
    );
    return c.body(null, 204);
  });
