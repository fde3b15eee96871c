import { createRouter } from '../../lib/create-router';
import * as handlers from './documents.handlers';
import * as routes from './documents.routes';

export const documentsRouter = createRouter()
  .openapi(routes.uploadDocument, handlers.uploadDocument)
  .openapi(routes.listDocuments, handlers.listDocuments)
  .openapi(routes.getDocument, handlers.getDocument)
  .openapi(routes.updateDocument, handlers.updateDocument)
  .openapi(routes.deleteDocument, handlers.deleteDocument)
  .openapi(routes.getDocumentContent, handlers.getDocumentContent)
  .openapi(routes.replaceDocumentContent, handlers.replaceDocumentContent);
