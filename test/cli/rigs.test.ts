import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { expectAlertsExplainedBy } from '../helpers/plantedAlerts.ts';
import { parseUpdates } from '../helpers/recordingFixtures.ts';
import { main } from '../../cli/main.ts';
import { projectRoot } from '../helpers/shared.ts';
import { unitPairKey as pairKey } from '../../src/stream/unitIds.ts';

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

/** Resolves once `probe` gives a value; the limit is a safety net, and its message says what was awaited. */
async function until<T>(what: string, probe: () => T | undefined, context: () => string = () => '', timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${context()}`);
    await new Promise((done) => setTimeout(done, 50));
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
    .map((line) => JSON.parse(line) as AlertEvent)
    .filter((line) => line.type === 'alert');
}


/** Seconds of recording each simulator sends (it then ends: `end`, the publisher closing, or the board stopping). */
const DURATION = 40;

describe.each([
  // Our protocol ends with `end`: the analyzer stops by itself, after the update at the recording's end, with every spike.
  { rig: 'protocol', simulate: [] as string[], lastUpdate: DURATION, ends: 'end' },
  // RHX's spike port closes when the simulator stops at the end: the source is lost after every spike sent, and Ctrl-C
  // ends the analyzer with the updates up to the last whole second it has data for.
  { rig: 'intan', simulate: ['--command-port', '0'], lastUpdate: DURATION - 1, ends: 'source-lost' },
  // A ZeroMQ publisher that closes drops what was not read yet: the simulator stays until its subscriber has gone.
  // Ctrl-C ends the analyzer once it has made the update at 39 s (so it has the recording up to 39 s + the lateness).
  { rig: 'openephys', simulate: [], lastUpdate: DURATION - 1, ends: 'last-update' },
])('synergy simulate --as $rig --duration 40 → synergy connect', ({ rig, simulate, lastUpdate, ends }) => {
  it('the printed connect command analyzes the whole recording live: planted pairs alerted, nothing else', async () => {
    const truthFile = join(folder, `${rig}-truth.json`);
    const labelsFile = join(folder, `${rig}-modes.csv`);
    // Speed only decides how soon the recording goes out; the test waits on what arrives. 8 units: 2 synergistic and
    // 2 redundant pairs planted, 28 pairs analyzed.
    // Modes of 0.5 s and label lags 0.5 s apart: by 30 s the 20 s windows have enough independent surrogates for a family-wise p of 0.05.
    const sim = start(['simulate', '--as', rig, '--port', '0', '--speed', '40', '--duration', String(DURATION), '--units', '8', '--dwell', '0.5', '--truth', truthFile, ...simulate, ...(rig === 'intan' ? ['--labels-out', labelsFile] : [])]);
    const connectLine = await until('the connect command', () => /connect with: (synergy connect .*)$/m.exec(sim.stderr())?.[1], () => sim.stderr());
    const args = words(connectLine).slice(1);
    expect(args[0]).toBe('connect');
    const updatesFile = join(folder, `${rig}-updates.jsonl`);
    const alertsFile = join(folder, `${rig}-alerts.jsonl`);
    const connect = start([...args, '--window', '20', '--hop', '1', '--lag-step', '0.5', '--out', updatesFile, '--alerts-out', alertsFile, '--quiet-alerts']);
    const context = () => `simulate: ${sim.stderr()}\nconnect: ${connect.stderr()}`;

    const updatesMade = () => (existsSync(updatesFile) ? parseUpdates(readFileSync(updatesFile, 'utf8')).length : 0);
    if (ends === 'source-lost') {
      // Everything sent before the rig went away has been read once the analyzer reports it lost.
      await until('the source-lost alert', () => (readAlerts(alertsFile).some((alert) => alert.kind === 'source-lost') ? true : undefined), context);
      connect.child.kill('SIGINT');
    } else if (ends === 'last-update') {
      await until(`the update at ${lastUpdate} s`, () => (updatesMade() >= lastUpdate ? true : undefined), context);
      connect.child.kill('SIGINT');
    }
    expect(await until('synergy connect to end', () => connect.child.exitCode ?? undefined, context), connect.stderr()).toBe(0);
    expect(await until('synergy simulate to end', () => sim.child.exitCode ?? undefined, context), sim.stderr()).toBe(0);
    const sent = Number(new RegExp(`synergy simulate: sent (\\d+) spikes over ${DURATION}\\.0 simulated seconds`).exec(sim.stderr())?.[1]);
    expect(sent, sim.stderr()).toBeGreaterThan(2_000);
    // Every spike sent was read (Open Ephys: up to where the analyzer was stopped, past 39 s).
    const summary = new RegExp(`synergy connect: ${lastUpdate} updates; alerts: .*synergy.*; sources: \\S+: \\d+ (messages|records), (\\d+) spikes`).exec(connect.stderr());
    expect(summary, connect.stderr()).not.toBeNull();
    if (ends === 'last-update') expect(Number(summary![2])).toBeLessThanOrEqual(sent);
    else expect(Number(summary![2])).toBe(sent);
    const updates = parseUpdates(readFileSync(updatesFile, 'utf8'));
    expect(updates.map((update) => update.t)).toEqual(Array.from({ length: lastUpdate }, (_, k) => k + 1));
    expect(updates.at(-1)!.samples + updates.at(-1)!.dropped.unlabeled).toBe(1000);

    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as { pairs: Array<{ a: string; b: string; kind: string }> };
    const planted = new Set(truth.pairs.map((pair) => pairKey(pair.a, pair.b)));
    const alerts = readAlerts(alertsFile);
    const raised = new Set(alerts.filter((alert) => alert.kind === 'synergy' && alert.state === 'raised').map((alert) => pairKey(alert.a!, alert.b!)));
    for (const pair of truth.pairs.filter((p) => p.kind === 'synergistic')) expect(raised, `synergy alert on ${pair.a}–${pair.b}`).toContain(pairKey(pair.a, pair.b));
    expectAlertsExplainedBy(truth.pairs, alerts);
    void planted;
    expect(alerts.filter((alert) => alert.kind !== 'synergy' && alert.kind !== 'redundancy' && alert.kind !== 'source-lost')).toEqual([]);
  }, 180_000);
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
    // In this process: each is refused before anything is opened.
    for (const [args, pattern] of cases) {
      let stderr = '';
      const code = await main(args, { stdout: () => {}, stderr: (text) => (stderr += text) });
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(2);
      expect(stderr).toMatch(pattern);
    }
  });
});
