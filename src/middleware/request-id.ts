import { requestId as honoRequestId } from 'hono/request-id';

/**
 * Accepts a caller's `X-Request-ID` when it is short and plain (so it can be traced across
 * services) and otherwise makes a new one. Hono's middleware sets the response header.
 */
export const requestId = () =>
  honoRequestId({
    headerName: 'X-Request-ID',
    limitLength: 128,
    generator: () => crypto.randomUUID(),
  });
