import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { parseUpdates } from '../helpers/recordingFixtures.ts';
import { runCli } from '../helpers/runCli.ts';
import { projectRoot } from '../helpers/shared.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-rigs-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(folder, { recursive: true, force: true });
});

/** Starts `bin/synergy` as a user would, collecting its output. */
function start(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [resolve(projectRoot, 'bin', 'synergy'), ...args], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Words of a command line as the simulator prints it (double quotes group). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]);
}

function readAlerts(path: string): AlertEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AlertEvent);
}

const pairKey = (a: string, b: string) => [a, b].sort().join('|');

describe.each([
  { rig: 'openephys', simulate: [] as string[] },
  { rig: 'intan', simulate: ['--command-port', '0', '--duration', '400'] },
])('synergy simulate --as $rig → synergy connect', ({ rig, simulate }) => {
  it('the printed connect command analyzes the simulated rig live: planted pairs alerted, nothing else; Ctrl-C ends both with a summary', async () => {
    const truthFile = join(folder, `${rig}-truth.json`);
    const labelsFile = join(folder, `${rig}-modes.csv`);
    const sim = start(['simulate', '--as', rig, '--port', '0', '--speed', '8', '--truth', truthFile, ...simulate, ...(rig === 'intan' ? ['--labels-out', labelsFile] : [])]);
    const connectLine = await until('the connect command', () => /connect with: (synergy connect .*)$/m.exec(sim.stderr())?.[1], 30_000);
    const args = words(connectLine).slice(1);
    expect(args[0]).toBe('connect');
    const updatesFile = join(folder, `${rig}-updates.jsonl`);
    const alertsFile = join(folder, `${rig}-alerts.jsonl`);
    const connect = start([...args, '--window', '20', '--hop', '1', '--out', updatesFile, '--alerts-out', alertsFile, '--quiet-alerts']);

    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as { pairs: Array<{ a: string; b: string; kind: string }> };
    const synergistic = truth.pairs.filter((pair) => pair.kind === 'synergistic').map((pair) => pairKey(pair.a, pair.b));
    const planted = new Set(truth.pairs.map((pair) => pairKey(pair.a, pair.b)));
    // Every planted synergistic pair is alerted (within 120 s of recording time, 15 s of wall time at speed 8).
    await until(
      'synergy alerts of the planted pairs',
      () => {
        const raised = new Set(readAlerts(alertsFile).filter((alert) => alert.kind === 'synergy' && alert.state === 'raised').map((alert) => pairKey(alert.a!, alert.b!)));
        // …and a few full windows analyzed.
        const updates = existsSync(updatesFile) ? readFileSync(updatesFile, 'utf8').split('\n').length - 1 : 0;
        return synergistic.every((pair) => raised.has(pair)) && updates >= 25 ? true : undefined;
      },
      60_000,
      () => `simulate: ${sim.stderr()}\nconnect: ${connect.stderr()}`,
    );
    connect.child.kill('SIGINT');
    const [code] = await once(connect.child, 'exit');
    expect(code, connect.stderr()).toBe(0);
    sim.child.kill('SIGINT');
    await once(sim.child, 'exit');

    const alerts = readAlerts(alertsFile);
    const pairAlerts = alerts.filter((alert) => alert.kind === 'synergy' || alert.kind === 'redundancy');
    for (const alert of pairAlerts) expect(planted, `${alert.kind} ${alert.a}–${alert.b}`).toContain(pairKey(alert.a!, alert.b!));
    expect(alerts.filter((alert) => alert.kind === 'bytes-skipped' || alert.kind === 'input-rejected' || alert.kind === 'clock-reset')).toEqual([]);
    const updates = parseUpdates(readFileSync(updatesFile, 'utf8'));
    expect(updates.length).toBeGreaterThan(20);
    updates.forEach((update, k) => k > 0 && expect(update.t).toBe(updates[k - 1].t + 1));
    expect(updates.at(-1)!.samples).toBe(1000);
    expect(connect.stderr()).toMatch(/synergy connect: \d+ updates; alerts: .*synergy/);
    expect(sim.stderr()).toMatch(/synergy simulate: sent \d+ spikes over/);
  }, 120_000);
});

describe('synergy connect: usage', () => {
  it('a tcp:// address needs --format; options of another format, a missing sample rate and bad channels are usage errors', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['connect', 'tcp://127.0.0.1:5002'], /a tcp:\/\/ address needs --format: intan .* or openephys/],
      [['connect', 'tcp://127.0.0.1:5002', '--format', 'intan'], /--format intan needs the sample rate: give --sample-rate HZ, or --command HOST:5000/],
      [['connect', 'zmq://127.0.0.1:5557', '--sample-rate', '30000'], /--sample-rate applies to --format intan only \(this source is openephys\)/],
      [['connect', 'ws://127.0.0.1:7701', '--ttl-labels', '1=go'], /--ttl-labels applies to --format openephys only/],
      [['connect', 'ws://127.0.0.1:7701', '--format', 'intan'], /--format intan is reached by tcp:\/\/ addresses, not ws:\/\//],
      [['connect', 'tcp://127.0.0.1:5002', '--format', 'intan', '--sample-rate', '30000', '--channels', 'A-000'], /--channels enables spike output through the command port: give --command/],
      [['connect', 'tcp://127.0.0.1:5002', '--format', 'intan', '--command', '127.0.0.1:5000', '--channels', 'A-0'], /--channels takes names such as A-000/],
      [['connect', 'http://127.0.0.1:80'], /unknown address scheme http:\/\//],
    ];
    for (const [args, pattern] of cases) {
      const result = await runCli(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(pattern);
    }
  }, 60_000);
});
