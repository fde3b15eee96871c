/**
 * DeepSeek as a provider description, in the spirit of Portkey's provider configs: which path to call
 * and how to authenticate, kept apart from the streaming logic so a second OpenAI-compatible provider
 * is another object, not another client. The base URL and model ids are configuration (chat.config.ts).
 */
export type ProviderConfig = {
  /** Names the provider in log lines. */
  id: string;
  chatCompletionsPath: string;
  headers: (apiKey: string) => Record<string, string>;
};

export const deepseekProvider: ProviderConfig = {
  id: 'deepseek',
  chatCompletionsPath: '/chat/completions',
  headers: (apiKey) => ({
    Authorization: `Bearer ${apiKey}`,
    'Content-Type': 'application/json',
    Accept: 'text/event-stream',
  }),
};

/** Joins a base URL (with or without a trailing slash or `/v1`) and a path. */
export function providerUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
