/**
 * DeepSeek as a provider description, in the spirit of Portkey's provider configs: where to call and
 * how to authenticate, kept apart from the streaming logic so a second OpenAI-compatible provider is
 * another object, not another client. Model ids are configuration and live elsewhere.
 */
export type ProviderConfig = {
  id: string;
  /** Used when the caller passes no base URL. */
  defaultBaseUrl: string;
  chatCompletionsPath: string;
  modelsPath: string;
  headers: (apiKey: string) => Record<string, string>;
};

export const deepseekProvider: ProviderConfig = {
  id: 'deepseek',
  defaultBaseUrl: 'https://api.deepseek.com',
  chatCompletionsPath: '/chat/completions',
  modelsPath: '/models',
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
