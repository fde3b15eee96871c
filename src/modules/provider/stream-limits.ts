/**
 * How much of an upstream stream we agree to hold. The upstream decides how long a line, an event or
 * an answer is; without these a broken or hostile endpoint could make one request grow an isolate's
 * memory until it dies (128 MB, shared by every request it serves).
 */
export type StreamLimits = {
  /** One SSE line, in characters; a line never terminated grows only up to here. */
  maxLineChars: number;
  /** One event's data (its `data:` lines joined), in characters. */
  maxEventChars: number;
  /** Answer plus reasoning text of one completion, in characters. */
  maxAnswerChars: number;
  /** One tool call's `arguments`, in UTF-8 bytes once its pieces are joined. */
  maxToolArgumentBytes: number;
  /** Tool calls in one completion. */
  maxToolCalls: number;
};

export const defaultStreamLimits: Readonly<StreamLimits> = {
  maxLineChars: 64 * 1024,
  maxEventChars: 256 * 1024,
  maxAnswerChars: 16_000,
  maxToolArgumentBytes: 4096,
  maxToolCalls: 4,
};
