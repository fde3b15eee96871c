// @ts-check
// How a request tells the fake to misbehave. Three sources, most specific last: defaults given to
// createFakeDeepSeek(), `X-Fake-*` request headers, and `[fake:name=N]` phrases in the last user
// message. The phrases matter most: our Worker sends its own headers upstream, so an end-to-end test
// can only steer the fake through what the user typed.

/** @typedef {import('./handler.mjs').FakeSwitches} FakeSwitches */

/** Switch name in headers (`X-Fake-<Name>`) and phrases (`[fake:<name>=N]`) → option key. */
const names = /** @type {const} */ ({
  'first-token-delay-ms': 'firstTokenDelayMs',
  'token-delay-ms': 'tokenDelayMs',
  'keepalive-ms': 'keepaliveMs',
  'cut-after': 'cutAfter',
  status: 'status',
  'fail-times': 'failTimes',
  handoff: 'handoff',
});

/** @type {Required<FakeSwitches>} */
export const switchDefaults = {
  firstTokenDelayMs: 0,
  tokenDelayMs: 0,
  keepaliveMs: 1000,
  cutAfter: 0,
  status: 0,
  failTimes: 0,
  handoff: 0,
};

// A fake must not be talked into holding a socket for hours.
const maxValue = 10 * 60 * 1000;

/**
 * @param {Partial<FakeSwitches>} defaults
 * @param {Headers} headers
 * @param {string} lastUserMessage
 * @returns {Required<FakeSwitches>}
 */
export function resolveSwitches(defaults, headers, lastUserMessage) {
  /** @type {Required<FakeSwitches>} */
  const settings = { ...switchDefaults };
  for (const [key, value] of Object.entries(defaults)) {
    if (key in settings && typeof value === 'number') settings[/** @type {keyof FakeSwitches} */ (key)] = value;
  }
  for (const [name, key] of Object.entries(names)) {
    const value = headers.get(`x-fake-${name}`);
    if (value !== null && /^\d+$/.test(value)) settings[key] = Math.min(Number(value), maxValue);
  }
  for (const match of lastUserMessage.matchAll(/\[fake:([a-z-]+)=(\d+)\]/g)) {
    const key = names[/** @type {keyof typeof names} */ (match[1])];
    if (key) settings[key] = Math.min(Number(match[2]), maxValue);
  }
  // A keep-alive interval of 0 would spin; treat it as "no keep-alives".
  if (settings.keepaliveMs <= 0) settings.keepaliveMs = maxValue;
  return settings;
}
