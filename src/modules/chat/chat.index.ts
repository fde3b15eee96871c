import { createRouter } from '../../lib/create-router';
import { chatConfigHandler, chatHandler } from './chat.handlers';
import { chat, chatConfig } from './chat.routes';

export const chatRouter = createRouter().openapi(chatConfig, chatConfigHandler).openapi(chat, chatHandler);
