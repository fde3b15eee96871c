import { PatternRouter } from 'hono/router/pattern-router';

type RouteLike = { method: string; path: string };

/**
 * Indexes the app's concrete routes by path so a miss can be told apart from a wrong method.
 * Middleware (`ALL`) entries are skipped: they match every path and would hide real 404s.
 */
export function indexAllowedMethods(routes: readonly RouteLike[]): (path: string) => string[] {
  const router = new PatternRouter<string>();
  for (const { method, path } of routes) {
    if (method !== 'ALL') router.add('ALL', path, method);
  }
  return (path) => {
    // Routing is strict: `/x/` is not `/x`, so it has no methods to offer (PatternRouter would match it).
    if (path.length > 1 && path.endsWith('/')) return [];
    const [matches] = router.match('ALL', path);
    const methods = new Set(matches.map(([method]) => method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
