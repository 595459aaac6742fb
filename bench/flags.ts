/** The value after `--name` on the command line, or `fallback` (undefined when none is given). */
export function flag(name: string, fallback: string): string;
export function flag(name: string, fallback?: string): string | undefined;
export function flag(name: string, fallback?: string): string | undefined {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : fallback;
}
