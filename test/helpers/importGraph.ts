import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One file's imports of other files of the tree (relative specifiers resolved to paths from the root, '/'-separated). */
export type ImportGraph = Map<string, string[]>;

/**
 * Module specifiers in TypeScript or JavaScript source: `import … from`,
 * `import type … from`, `export … from`, side-effect `import '…'`,
 * dynamic `import('…')` and `new URL('…', import.meta.url)`. Comments are
 * blanked first, so an example in a doc comment is no import.
 */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
  const specifiers: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*(['"])([^'"]+)\1/g,
    /\bimport\s*(['"])([^'"]+)\1/g,
    /\bimport\s*\(\s*(['"])([^'"]+)\1\s*\)/g,
    /\bnew\s+URL\s*\(\s*(['"])([^'"]+)\1\s*,\s*import\.meta\.url/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) specifiers.push(match[2]);
  return specifiers;
}

/** The source files below `folders` of `root` (.ts, .mts, .mjs; not .d.ts), as paths from the root. */
export function sourceFiles(root: string, folders: readonly string[], skip: (path: string) => boolean = () => false): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(join(root, folder))) {
      const path = `${folder}/${name}`;
      if (skip(path)) continue;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const folder of folders) if (existsSync(join(root, folder))) walk(folder);
  return files.sort();
}

/** The import graph of `files` (paths from `root`): relative specifiers that resolve to a file; packages and node: modules are left out. */
export function importGraph(root: string, files: readonly string[], read: (path: string) => string = (path) => readFileSync(join(root, path), 'utf8')): ImportGraph {
  const graph: ImportGraph = new Map();
  const known = new Set(files);
  for (const file of files) {
    const targets: string[] = [];
    for (const specifier of importSpecifiers(read(file))) {
      if (!specifier.startsWith('.')) continue;
      const target = relative(resolve('/', root), resolve('/', root, dirname(file), specifier)).split(sep).join('/');
      if (known.has(target) && !targets.includes(target)) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The edges of the graph that break a layering rule: `allowed(from, to)` says whether `from` may import `to`. */
export function forbiddenImports(graph: ImportGraph, allowed: (from: string, to: string) => boolean): Array<{ from: string; to: string }> {
  const found: Array<{ from: string; to: string }> = [];
  for (const [from, targets] of graph) for (const to of targets) if (!allowed(from, to)) found.push({ from, to });
  return found;
}

/**
 * The import cycles of the graph: one per strongly connected component of
 * more than one file (or a file that imports itself), given as a closed path
 * through it (first file repeated at the end), so the message shows which
 * imports to cut.
 */
export function importCycles(graph: ImportGraph): string[][] {
  // Tarjan's strongly connected components, iteratively (no recursion limit on deep graphs).
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; edge: number }> = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      const targets = graph.get(frame.node) ?? [];
      if (frame.edge < targets.length) {
        const target = targets[frame.edge++];
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, edge: 0 });
        } else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work.at(-1)!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && (graph.get(component[0]) ?? []).includes(component[0]);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((component) => cyclePath(graph, new Set(component)));
}

/** A closed path through a strongly connected component: breadth-first from its first file (sorted) back to itself. */
function cyclePath(graph: ImportGraph, members: Set<string>): string[] {
  const start = [...members].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}
