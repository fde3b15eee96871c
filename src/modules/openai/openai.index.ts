import { createRouter } from '../../lib/create-router';
import { completionsHandler, modelsHandler } from './openai.handlers';
import { completions, models } from './openai.routes';

export const openaiRouter = createRouter().openapi(models, modelsHandler).openapi(completions, completionsHandler);
