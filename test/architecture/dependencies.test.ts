import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forbiddenImports, importCycles, importGraph, importSpecifiers, sourceFiles, type ImportGraph } from '../helpers/importGraph.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The top folder of a path from the root. */
const layer = (path: string) => path.split('/')[0];

/**
 * The layering (README, "Layout"): `cli/` is the composition root and may
 * import everything; `adapters/` and `simulators/` may import `src/` and
 * each other but not `cli/`; `src/` is a library that imports nothing of
 * the three.
 */
function allowed(from: string, to: string): boolean {
  const [a, b] = [layer(from), layer(to)];
  if (a === 'src') return b === 'src';
  if (a === 'adapters' || a === 'simulators') return b !== 'cli';
  return true;
}

describe('dependencies point one way', () => {
  const files = sourceFiles(root, ['src', 'adapters', 'simulators', 'cli'], (path) => path.startsWith('src/engine/wasm/assembly'));
  const graph = importGraph(root, files);

  it('reads the whole tree', () => {
    for (const folder of ['src', 'adapters', 'simulators', 'cli']) expect(files.some((file) => file.startsWith(`${folder}/`)), folder).toBe(true);
    // The entry point imports commands, and they import the library: the graph has edges.
    expect(graph.get('cli/main.ts')!.length).toBeGreaterThan(5);
  });

  it('src/ imports nothing from adapters/, simulators/ or cli/; adapters/ and simulators/ nothing from cli/', () => {
    const found = forbiddenImports(graph, allowed).map(({ from, to }) => `${from} → ${to}`);
    expect(found).toEqual([]);
  });

  it('has no import cycle, not even through type-only imports', () => {
    expect(importCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});

describe('the dependency check itself', () => {
  const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

  it('finds every form of import, and none in comments', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "export * as d from './d.ts';",
      "import './e.ts';",
      "const f = await import('./f.ts');",
      "const g = new URL('./g.mjs', import.meta.url);",
      'import {',
      '  h,',
      "} from './h.ts';",
      "// import { x } from './commented.ts';",
      "/** e.g. import { y } from './doc.ts' */",
      "const text = 'http://example.org'; // not an import",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(['../b.ts', './a.ts', './c.ts', './d.ts', './e.ts', './f.ts', './g.mjs', './h.ts']);
  });

  it('resolves relative specifiers against the importing file and keeps only files of the tree', () => {
    const sources: Record<string, string> = {
      'src/a.ts': "import { b } from './b.ts'; import { c } from '../cli/c.ts'; import { Subject } from 'rxjs'; import { x } from './missing.ts';",
      'src/b.ts': '',
      'cli/c.ts': "import type { A } from '../src/a.ts';",
    };
    const graph = importGraph('/virtual', Object.keys(sources), (path) => sources[path]);
    expect(graph.get('src/a.ts')).toEqual(['src/b.ts', 'cli/c.ts']);
    expect(graph.get('cli/c.ts')).toEqual(['src/a.ts']);
  });

  it('reports a forbidden edge with both ends', () => {
    const graph = graphOf({ 'src/engine.ts': ['adapters/reader.ts', 'src/math.ts'], 'adapters/reader.ts': ['cli/main.ts'], 'cli/main.ts': ['src/engine.ts'], 'src/math.ts': [] });
    expect(forbiddenImports(graph, allowed)).toEqual([
      { from: 'src/engine.ts', to: 'adapters/reader.ts' },
      { from: 'adapters/reader.ts', to: 'cli/main.ts' },
    ]);
  });

  it('reports each cycle as a closed path, including one through several files and a file that imports itself', () => {
    const graph = graphOf({
      'a.ts': ['b.ts'],
      'b.ts': ['c.ts', 'd.ts'],
      'c.ts': ['a.ts'],
      'd.ts': [],
      'e.ts': ['e.ts'],
      'f.ts': ['g.ts'],
      'g.ts': ['f.ts'],
    });
    const cycles = importCycles(graph).map((cycle) => cycle.join(' → ')).sort();
    expect(cycles).toEqual(['a.ts → b.ts → c.ts → a.ts', 'e.ts → e.ts', 'f.ts → g.ts → f.ts']);
    expect(importCycles(graphOf({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': [] }))).toEqual([]);
  });
});
