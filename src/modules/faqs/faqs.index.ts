import { createRouter } from '../../lib/create-router';
import * as handlers from './faqs.handlers';
import * as routes from './faqs.routes';

export const faqsRouter = createRouter()
  .openapi(routes.listFaqs, handlers.listFaqs)
  .openapi(routes.getFaq, handlers.getFaq)
  .openapi(routes.createFaq, handlers.createFaq)
  .openapi(routes.updateFaq, handlers.updateFaq)
  .openapi(routes.deleteFaq, handlers.deleteFaq);
