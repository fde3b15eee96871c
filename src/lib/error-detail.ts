/**
 * What may be logged about an unexpected error. Drizzle wraps a failing query in an error whose
 * message (and so its stack's first line) carries the query's parameters — emails, hashes, message
 * text — so for those only the driver's own error (the cause) is kept.
 */
export function errorDetail(error: unknown): { error: string; stack?: string | undefined } {
  if (!(error instanceof Error)) return { error: String(error) };
  if (error.message.startsWith('Failed query:')) {
    const cause = error.cause;
    return cause instanceof Error
      ? { error: `query failed: ${cause.name}: ${cause.message}`, stack: cause.stack }
      : { error: 'query failed (parameters withheld)' };
  }
  return { error: `${error.name}: ${error.message}`, stack: error.stack };
}
