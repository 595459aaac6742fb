import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { projectRoot } from './shared.ts';
import { serveCommand, sourceAnalysisOptions } from '../../cli/serveCommand.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';

export interface ServeResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The run header each file starts with (DESIGN §7). */
  header: Record<string, unknown> | undefined;
  updates: SynergyUpdate[];
  alerts: AlertEvent[];
  /** The process's peak resident memory, MiB (VmHWM). */
  peakRssMiB: number;
}

export interface ServeProcess {
  child: ChildProcess;
  ingestUrl: string;
  subscribeUrl: string;
  httpUrl: string;
  stderr: () => string;
  /** Peak resident memory so far, MiB. */
  peakRssMiB: () => number;
  /** Whether the process is still running. */
  alive: () => boolean;
  /** Ctrl-C, then what it wrote. */
  stop: () => Promise<ServeResult>;
}

function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) / 1024;
  } catch {
    return 0;
  }
}

/** Starts `bin/synergy serve --port 0` as a user would, with updates and alerts written to files. */
export async function startServe(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const folder = mkdtempSync(join(tmpdir(), 'synergy-serve-'));
  const updatesFile = join(folder, 'updates.jsonl');
  const alertsFile = join(folder, 'alerts.jsonl');
  const child = spawn(process.execPath, [resolve(projectRoot, 'bin', 'synergy'), 'serve', '--port', '0', '--out', updatesFile, '--alerts-out', alertsFile, '--quiet-alerts', ...args], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  let peak = 0;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolvePromise(exited);
    }),
  );
  child.stdout!.resume();
  const urls = await new Promise<RegExpExecArray>((resolvePromise, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /ingest (ws:\/\/\S+)\s+subscribe (ws:\/\/\S+)/.exec(stderr);
      if (match !== null) resolvePromise(match);
    });
    void exit.then(() => reject(new Error(`synergy serve exited before listening: ${stderr}`)));
  });
  const readJsonl = <T>(file: string): T[] => {
    try {
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as T);
    } catch {
      return [];
    }
  };
  const sample = () => {
    if (exited === undefined && child.pid !== undefined) peak = Math.max(peak, peakRss(child.pid));
    return peak;
  };
  return {
    child,
    ingestUrl: urls[1],
    subscribeUrl: urls[2],
    httpUrl: urls[1].replace(/^ws:/, 'http:').replace(/\/ingest$/, '/'),
    stderr: () => stderr,
    peakRssMiB: sample,
    alive: () => exited === undefined,
    async stop() {
      sample();
      if (exited === undefined) child.kill('SIGINT');
      const { code, signal } = await exit;
      const updateLines = readJsonl<SynergyUpdate | Record<string, unknown>>(updatesFile);
      const alertLines = readJsonl<AlertEvent | Record<string, unknown>>(alertsFile);
      const header = updateLines[0]?.type === 'run' ? (updateLines[0] as Record<string, unknown>) : undefined;
      const result = {
        code,
        signal,
        stderr,
        header,
        updates: updateLines.filter((line): line is SynergyUpdate => line.type === 'synergy'),
        alerts: alertLines.filter((line): line is AlertEvent => line.type === 'alert'),
        peakRssMiB: peak,
      };
      rmSync(folder, { recursive: true, force: true });
      return result;
    },
  };
}

/** The analysis options `synergy serve ARGS` gives its sources: its own flags and defaults, parsed by its command (its action replaced). */
export async function serveAnalysisOptions(args: string[]): Promise<AnalysisOptions> {
  const command = serveCommand({ stdout: () => {}, stderr: () => {} });
  let options: AnalysisOptions | undefined;
  command.action((flags: Parameters<typeof sourceAnalysisOptions>[0]) => {
    options = sourceAnalysisOptions(flags);
  });
  await command.parseAsync(args, { from: 'user' });
  return options!;
}
