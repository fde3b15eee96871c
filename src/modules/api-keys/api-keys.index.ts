import { createRouter } from '../../lib/create-router';
import * as handlers from './api-keys.handlers';
import * as routes from './api-keys.routes';

export const apiKeysRouter = createRouter()
  .openapi(routes.createKey, handlers.createKey)
  .openapi(routes.listKeys, handlers.listKeys)
  .openapi(routes.getKey, handlers.getKey)
  .openapi(routes.updateKey, handlers.updateKey)
  .openapi(routes.deleteKey, handlers.deleteKey)
  .openapi(routes.rotateKey, handlers.rotateKey)
  .openapi(routes.listAllKeys, handlers.listAllKeys)
  .openapi(routes.currentKey, handlers.currentKey);
