import { createRouter } from '../../lib/create-router';
import * as handlers from './accounts.handlers';
import * as routes from './accounts.routes';

export const accountsRouter = createRouter()
  .openapi(routes.register, handlers.register)
  .openapi(routes.verifyEmail, handlers.verifyEmail)
  .openapi(routes.resendVerification, handlers.resendVerification)
  .openapi(routes.forgotPassword, handlers.forgotPassword)
  .openapi(routes.resetPassword, handlers.resetPassword)
  .openapi(routes.signinLink, handlers.signinLink);
