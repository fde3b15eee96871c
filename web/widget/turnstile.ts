/** What Cloudflare's test site keys produce; offline, the frame uses it without loading any script. */
export const DUMMY_TURNSTILE_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX';

type TurnstileApi = {
  render: (
    container: HTMLElement,
    options: { sitekey: string; action?: string; callback: (token: string) => void; 'error-callback': () => void },
  ) => string;
};

/** Loads Cloudflare's script (allowed by the frame's CSP) and runs one challenge for a token. */
export function turnstileToken(scriptUrl: string, siteKey: string, action: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const container = document.createElement('div');
    container.className = 'turnstile';
    document.getElementById('widget')?.append(container);
    const run = () => {
      const api = (window as { turnstile?: TurnstileApi }).turnstile;
      if (!api) return reject(new Error('The bot check could not load.'));
      api.render(container, {
        sitekey: siteKey,
        ...(action ? { action } : {}),
        callback: (token) => {
          container.remove();
          resolve(token);
        },
        'error-callback': () => reject(new Error('The bot check failed. Reload and try again.')),
      });
    };
    if ((window as { turnstile?: unknown }).turnstile) return run();
    const script = document.createElement('script');
    script.src = `${scriptUrl}?render=explicit`;
    script.async = true;
    script.onload = run;
    script.onerror = () => reject(new Error('The bot check could not load.'));
    document.head.append(script);
  });
}
