// @ts-check
// The pure half of `npm run check:cycles`: which unit a file belongs to, the unit graph built from
// file-level imports, its strongly connected components, and the imports that run the wrong way.
// No Node or TypeScript imports here, so the unit test runs it inside the vitest workers pool.

/**
 * One runtime import between two files of src/ (paths relative to the repository, `/`-separated).
 * @typedef {{ from: string, to: string, line: number, dynamic: boolean }} FileImport
 */

/** Units that hold shared code: they must never import a feature module. */
export const sharedUnits = ['src/lib', 'src/middleware', 'src/db'];

/**
 * The unit a file of src/ belongs to: `src/modules/<name>` for a feature, `src/<dir>` for any other
 * folder (lib, middleware, db), and the file itself for a root file such as `src/app.ts`.
 * @param {string} file e.g. `src/modules/chat/chat.service.ts`
 */
export function unitOf(file) {
  const parts = file.split('/');
  if (parts[0] !== 'src') throw new Error(`not under src/: ${file}`);
  if (parts.length === 2) return file;
  if (parts[1] === 'modules' && parts.length > 3) return `src/modules/${parts[2]}`;
  return `src/${parts[1]}`;
}

/**
 * Unit-level edges, each with every file-level import behind it (static imports first, then by
 * file and line, so the example printed is stable and the one a reader most likely has to move).
 * Imports inside one unit are dropped.
 * @param {FileImport[]} imports
 * @returns {Map<string, Map<string, FileImport[]>>} from unit → to unit → imports
 */
export function unitGraph(imports) {
  /** @type {Map<string, Map<string, FileImport[]>>} */
  const graph = new Map();
  for (const edge of imports) {
    const from = unitOf(edge.from);
    const to = unitOf(edge.to);
    if (from === to) continue;
    const targets = graph.get(from) ?? new Map();
    graph.set(from, targets);
    const list = targets.get(to) ?? [];
    targets.set(to, list);
    list.push(edge);
  }
  for (const targets of graph.values()) {
    for (const list of targets.values()) {
      list.sort((a, b) => Number(a.dynamic) - Number(b.dynamic) || a.from.localeCompare(b.from) || a.line - b.line);
    }
  }
  return graph;
}

/**
 * Strongly connected components (Tarjan, iterative so a deep graph cannot overflow the stack).
 * Components come out sorted by name inside, and largest first.
 * @param {Iterable<string>} nodes @param {(node: string) => Iterable<string>} next
 * @returns {string[][]}
 */
export function stronglyConnected(nodes, next) {
  /** @type {Map<string, number>} */ const index = new Map();
  /** @type {Map<string, number>} */ const low = new Map();
  /** @type {Set<string>} */ const onStack = new Set();
  /** @type {string[]} */ const stack = [];
  /** @type {string[][]} */ const components = [];
  let counter = 0;

  for (const start of nodes) {
    if (index.has(start)) continue;
    /** @type {{ node: string, edges: Iterator<string> }[]} */
    const frames = [];
    const enter = (/** @type {string} */ node) => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      frames.push({ node, edges: next(node)[Symbol.iterator]() });
    };
    enter(start);
    while (frames.length > 0) {
      const frame = /** @type {{ node: string, edges: Iterator<string> }} */ (frames.at(-1));
      const step = frame.edges.next();
      if (!step.done) {
        const target = step.value;
        if (!index.has(target)) enter(target);
        else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(target) ?? 0));
        }
        continue;
      }
      frames.pop();
      const parent = frames.at(-1);
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        /** @type {string[]} */
        const component = [];
        let member;
        do {
          member = /** @type {string} */ (stack.pop());
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => b.length - a.length || (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/**
 * A shortest cycle inside `component` (breadth-first from each member), as its units in order with
 * the first unit repeated at the end; a reader can follow it edge by edge.
 * @param {string[]} component @param {Map<string, Map<string, FileImport[]>>} graph
 * @returns {string[]}
 */
export function shortestCycle(component, graph) {
  const members = new Set(component);
  /** @type {string[]} */
  let best = [];
  for (const start of component) {
    /** @type {Map<string, string>} */
    const parent = new Map();
    const queue = [start];
    let found = false;
    for (let i = 0; i < queue.length && !found; i++) {
      const node = /** @type {string} */ (queue[i]);
      for (const target of [...(graph.get(node)?.keys() ?? [])].sort()) {
        if (!members.has(target)) continue;
        if (target === start) {
          const path = [start];
          for (let at = node; at !== start; at = /** @type {string} */ (parent.get(at))) path.splice(1, 0, at);
          path.push(start);
          if (best.length === 0 || path.length < best.length) best = path;
          found = true;
          break;
        }
        if (!parent.has(target)) {
          parent.set(target, node);
          queue.push(target);
        }
      }
    }
  }
  return best;
}

/**
 * Everything the check reports: components of more than one unit, and imports from a shared unit
 * (lib, middleware, db) into a feature module.
 * @param {FileImport[]} imports @param {Iterable<string>} files every file of src/ (units without imports count too)
 */
export function analyse(imports, files) {
  const graph = unitGraph(imports);
  const units = new Set([...files].map(unitOf));
  for (const edge of imports) units.add(unitOf(edge.to));
  const sorted = [...units].sort();
  const components = stronglyConnected(sorted, (unit) => [...(graph.get(unit)?.keys() ?? [])].sort());
  const cycles = components
    .filter((component) => component.length > 1)
    .map((component) => {
      const members = new Set(component);
      /** @type {{ from: string, to: string, imports: FileImport[] }[]} */
      const edges = [];
      for (const from of component) {
        for (const [to, list] of graph.get(from) ?? []) if (members.has(to)) edges.push({ from, to, imports: list });
      }
      edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
      return { units: component, edges, shortest: shortestCycle(component, graph) };
    });
  const wrongWay = imports
    .filter((edge) => sharedUnits.includes(unitOf(edge.from)) && unitOf(edge.to).startsWith('src/modules/'))
    .sort((a, b) => a.from.localeCompare(b.from) || a.line - b.line);
  return { units: sorted, graph, cycles, wrongWay };
}
