import { beforeEach, vi } from 'vitest';

// Any outbound fetch a test did not arrange is a bug: fail loudly instead of reaching the network.
beforeEach(() => {
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    throw new Error(`Unexpected outbound fetch in a test: ${url}`);
  });
});
