import { renderMarkdown } from './sanitize';

/** Formatted answer text (Markdown from the model or the knowledge base) as safe DOM nodes. */
export function renderText(text: string): DocumentFragment {
  return renderMarkdown(text);
}
