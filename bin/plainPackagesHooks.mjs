// The hooks of plainPackages.mjs (they run in Node's module-loader thread).
import { readFile } from 'node:fs/promises';

/** ES modules (package "type": "module") that need no transform. */
const PLAIN = [/\/node_modules\/h5wasm\/dist\/[^/]+\/[^/]+\.js$/];

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:')) {
    const path = new URL(url).pathname;
    if (PLAIN.some((pattern) => pattern.test(path))) {
      return { format: 'module', source: await readFile(new URL(url)), shortCircuit: true };
    }
  }
  return nextLoad(url, context);
}
