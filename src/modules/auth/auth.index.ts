import { createRouter } from '../../lib/create-router';
import { jwksHandler, loginHandler, logoutHandler, refreshHandler, registerHandler } from './auth.handlers';
import { jwks, login, logout, refresh, register } from './auth.routes';

export const authRouter = createRouter()
  .openapi(register, registerHandler)
  .openapi(login, loginHandler)
  .openapi(refresh, refreshHandler)
  .openapi(logout, logoutHandler)
  .openapi(jwks, jwksHandler);
