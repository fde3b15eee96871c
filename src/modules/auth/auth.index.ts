import { createRouter } from '../../lib/create-router';
import { jwksHandler, loginHandler, logoutHandler, refreshHandler } from './auth.handlers';
import { jwks, login, logout, refresh } from './auth.routes';

export const authRouter = createRouter()
  .openapi(login, loginHandler)
  .openapi(refresh, refreshHandler)
  .openapi(logout, logoutHandler)
  .openapi(jwks, jwksHandler);
