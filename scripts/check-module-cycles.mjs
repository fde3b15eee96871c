// @ts-check
// `npm run check:cycles`: the runtime import graph of src/ at the level of units — each
// src/modules/<name> folder, src/lib, src/middleware, src/db, and each root file of src/ — and two
// reports: every cycle between units (with one real import per edge, so a reader knows which line
// to move), and every import from lib/, middleware/ or db/ into a feature module (STYLE.md: imports
// never run back up). Exit 1 if either is non-empty.
//
// Only runtime imports count: `import type`, `export type … from`, and imports whose every named
// specifier is `type`-qualified are erased before the code runs. Dynamic `import()` counts (marked
// "dynamic"): it still ties the units together, even if it cannot break module evaluation order.
// The files are parsed by the TypeScript compiler (the `typescript` devDependency), not by regex.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { analyse } from './lib/module-graph.mjs';

const root = path.join(import.meta.dirname, '..');
const srcDir = path.join(root, 'src');

/** @typedef {import('./lib/module-graph.mjs').FileImport} FileImport */

/** Every .ts file of src/ except declaration files (they hold types only), repository-relative. */
function sourceFiles(/** @type {string} */ dir) {
  /** @type {string[]} */
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) files.push(...sourceFiles(full));
    else if (/\.(m|c)?tsx?$/.test(name) && !/\.d\.(m|c)?ts$/.test(name)) files.push(full);
  }
  return files;
}

const rel = (/** @type {string} */ file) => path.relative(root, file).split(path.sep).join('/');

/**
 * The file a relative specifier names, the way the bundler resolves it (`./x`, `./x.js` for `./x.ts`,
 * `./dir` for `./dir/index.ts`); undefined if nothing matches.
 * @param {string} fromFile @param {string} specifier
 */
function resolve(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const stem = base.replace(/\.(m|c)?jsx?$/, '');
  const candidates = [
    ...['.ts', '.tsx', '.mts', '.cts'].map((ext) => stem + ext),
    base,
    ...['index.ts', 'index.tsx'].map((name) => path.join(base, name)),
  ];
  return candidates.find((file) => existsSync(file) && statSync(file).isFile());
}

/** Whether an import declaration disappears at run time. @param {ts.ImportDeclaration} node */
function isTypeOnlyImport(node) {
  const clause = node.importClause;
  if (!clause) return false; // `import './x'`: runs for its side effects
  if (clause.isTypeOnly) return true;
  if (clause.name) return false; // a default import is a value
  const bindings = clause.namedBindings;
  if (!bindings || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/** Whether a re-export disappears at run time. @param {ts.ExportDeclaration} node */
function isTypeOnlyExport(node) {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  if (!clause || ts.isNamespaceExport(clause)) return false; // `export * from`, `export * as ns from`
  return clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly);
}

/**
 * The runtime imports of one file: static imports and re-exports that survive type erasure, and
 * `import('…')` calls with a literal specifier. Package imports are left out.
 * @param {string} file absolute path @returns {{ specifier: string, line: number, dynamic: boolean }[]}
 */
function runtimeSpecifiers(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  /** @type {{ specifier: string, line: number, dynamic: boolean }[]} */
  const found = [];
  const add = (/** @type {ts.Node} */ at, /** @type {ts.Expression | undefined} */ literal, dynamic = false) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const line = source.getLineAndCharacterOfPosition(at.getStart(source)).line + 1;
    found.push({ specifier: literal.text, line, dynamic });
  };
  const visit = (/** @type {ts.Node} */ node) => {
    if (ts.isImportDeclaration(node)) {
      if (!isTypeOnlyImport(node)) add(node, node.moduleSpecifier);
    } else if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier && !isTypeOnlyExport(node)) add(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node)) {
      const ref = node.moduleReference;
      if (!node.isTypeOnly && ts.isExternalModuleReference(ref)) add(node, ref.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], true);
    }
    // `import('./x').Y` in a type position is an ImportTypeNode, not a call: never reached here.
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((s) => s.specifier.startsWith('.'));
}

const files = sourceFiles(srcDir);
/** @type {FileImport[]} */
const imports = [];
/** @type {string[]} */
const unresolved = [];
for (const file of files) {
  for (const { specifier, line, dynamic } of runtimeSpecifiers(file)) {
    const target = resolve(file, specifier);
    if (!target) {
      unresolved.push(`${rel(file)}:${line} imports '${specifier}', which names no file`);
      continue;
    }
    const to = rel(target);
    if (!to.startsWith('src/') || /\.d\.(m|c)?ts$/.test(to)) continue; // outside src/, or types only
    imports.push({ from: rel(file), to, line, dynamic });
  }
}
if (unresolved.length > 0) {
  console.error(`check:cycles cannot resolve ${unresolved.length} import(s):\n  ${unresolved.join('\n  ')}`);
  process.exit(2);
}

const { units, cycles, wrongWay } = analyse(imports, files.map(rel));
const describe = (/** @type {FileImport} */ i) => `${i.from}:${i.line} ${i.dynamic ? 'import()s' : 'imports'} ${i.to}`;

if (cycles.length === 0 && wrongWay.length === 0) {
  console.log(`no module cycles (${units.length} units)`);
  process.exit(0);
}

/** @type {string[]} */
const out = [];
if (cycles.length > 0) {
  const inCycles = cycles.reduce((sum, c) => sum + c.units.length, 0);
  out.push(`${cycles.length} module cycle(s): ${inCycles} of ${units.length} units import each other in a circle.`);
  for (const [n, cycle] of cycles.entries()) {
    out.push('', `Cycle ${n + 1} (${cycle.units.length} units): ${cycle.units.join(', ')}`);
    out.push(`  shortest loop: ${cycle.shortest.join(' → ')}`);
    out.push('  edges inside it (unit → unit: file imports behind it, and one of them):');
    for (const edge of cycle.edges) {
      const [first] = edge.imports;
      if (!first) continue;
      out.push(`    ${edge.from} → ${edge.to} (${edge.imports.length}): ${describe(first)}`);
    }
  }
  out.push('', 'Break each cycle by removing the edges in one direction (move the shared piece into its own unit).');
}
if (wrongWay.length > 0) {
  if (out.length > 0) out.push('');
  out.push(`${wrongWay.length} import(s) from src/lib, src/middleware or src/db into a feature module (forbidden):`);
  for (const i of wrongWay) out.push(`  ${describe(i)}`);
}
console.error(out.join('\n'));
process.exit(1);
