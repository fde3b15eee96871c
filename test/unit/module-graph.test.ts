import { describe, expect, it } from 'vitest';
import { analyse, type FileImport, stronglyConnected, unitOf } from '../../scripts/lib/module-graph.mjs';

const imp = (from: string, to: string, line = 1, dynamic = false): FileImport => ({ from, to, line, dynamic });

describe('module graph (npm run check:cycles)', () => {
  it('groups a feature folder, a shared folder and each root file into units', () => {
    expect(unitOf('src/modules/chat/provider/deepseek.ts')).toBe('src/modules/chat');
    expect(unitOf('src/lib/rate-limit/sliding-window.ts')).toBe('src/lib');
    expect(unitOf('src/middleware/cors.ts')).toBe('src/middleware');
    expect(unitOf('src/app.ts')).toBe('src/app.ts');
  });

  it('finds strongly connected components, including a self-contained chain and a loop', () => {
    const edges: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a', 'd'], d: ['e'], e: [] };
    expect(stronglyConnected(Object.keys(edges), (n) => edges[n] ?? [])).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
  });

  it('reports a cycle between units with one file import per edge, ignoring imports inside a unit', () => {
    const { cycles, units } = analyse(
      [
        imp('src/modules/users/user-gate.ts', 'src/modules/chat/stream-allowance.ts', 7),
        imp('src/modules/chat/chat.service.ts', 'src/modules/users/user-gate.ts', 9),
        imp('src/modules/chat/chat.service.ts', 'src/modules/chat/prompt.ts', 3),
        imp('src/app.ts', 'src/modules/chat/chat.index.ts', 2),
      ],
      ['src/app.ts', 'src/db/schema.ts'],
    );
    expect(units).toEqual(['src/app.ts', 'src/db', 'src/modules/chat', 'src/modules/users']);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]?.units).toEqual(['src/modules/chat', 'src/modules/users']);
    expect(cycles[0]?.shortest).toEqual(['src/modules/chat', 'src/modules/users', 'src/modules/chat']);
    expect(cycles[0]?.edges.map((e) => [e.from, e.to, e.imports[0]?.line])).toEqual([
      ['src/modules/chat', 'src/modules/users', 9],
      ['src/modules/users', 'src/modules/chat', 7],
    ]);
  });

  it('flags shared code importing a feature even without a cycle, and nothing for a clean graph', () => {
    const wrong = imp('src/middleware/authenticate.ts', 'src/modules/auth/access-token.ts', 5);
    expect(analyse([wrong], []).wrongWay).toEqual([wrong]);
    const clean = analyse(
      [imp('src/modules/auth/a.ts', 'src/lib/errors.ts'), imp('src/app.ts', 'src/modules/auth/a.ts')],
      [],
    );
    expect(clean.cycles).toEqual([]);
    expect(clean.wrongWay).toEqual([]);
  });
});
