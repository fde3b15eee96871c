// Types of module-graph.mjs for the TypeScript that imports it (test/unit/module-graph.test.ts).
export type FileImport = { from: string; to: string; line: number; dynamic: boolean };
export type UnitGraph = Map<string, Map<string, FileImport[]>>;
export declare const sharedUnits: string[];
export declare function unitOf(file: string): string;
export declare function unitGraph(imports: FileImport[]): UnitGraph;
export declare function stronglyConnected(
  nodes: Iterable<string>,
  next: (node: string) => Iterable<string>,
): string[][];
export declare function shortestCycle(component: string[], graph: UnitGraph): string[];
export declare function analyse(
  imports: FileImport[],
  files: Iterable<string>,
): {
  units: string[];
  graph: UnitGraph;
  cycles: { units: string[]; edges: { from: string; to: string; imports: FileImport[] }[]; shortest: string[] }[];
  wrongWay: FileImport[];
};
