import { createRouter } from '../../lib/create-router';
import * as handlers from './users.handlers';
import * as routes from './users.routes';

// `/users/me` before `/users/{id}`: the router tries routes in registration order.
export const usersRouter = createRouter()
  .openapi(routes.getMe, handlers.getMe)
  .openapi(routes.updateMe, handlers.updateMe)
  .openapi(routes.changeMyPassword, handlers.changeMyPassword)
  .openapi(routes.listMySessions, handlers.listMySessions)
  .openapi(routes.endMySession, handlers.endMySession)
  .openapi(routes.endMyOtherSessions, handlers.endMyOtherSessions)
  .openapi(routes.listUsers, handlers.listUsers)
  .openapi(routes.getUserById, handlers.getUserById)
  .openapi(routes.changeRole, handlers.changeRole)
  .openapi(routes.changeStatus, handlers.changeStatus)
  .openapi(routes.unlockUser, handlers.unlockUser)
  .openapi(routes.deleteUser, handlers.deleteUser);
