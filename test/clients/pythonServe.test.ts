import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { PairUpdate, SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { SnapshotAnalyzer, type SnapshotUpdate } from '../../src/snapshots/snapshotAnalysis.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { connectRig } from '../helpers/protocolRig.ts';
import { serveAnalysisOptions, startServe, type ServeProcess } from '../helpers/serveProcess.ts';
import { projectRoot } from '../helpers/shared.ts';
import { DEBIAN_PYTHON, hasDebianNumpy } from '../snapshots/debianNumpy.ts';

/**
 * The Python client (clients/python/synergy_client.py) against the real
 * `synergy serve`: a training loop's snapshots sent as binary SSNP frames by
 * SnapshotSender, the analysis read back by `subscribe` in the same Python
 * process. Skipped where Debian's python3 has no numpy; the JSON snapshot
 * sent by a plain `ws` client in TypeScript does not need Python.
 */

const SERVE_ARGS = ['--surrogates', '19'];
const STEPS = Array.from({ length: 10 }, (_, k) => 100 * k);
const SWITCH = 500;

const serves: ServeProcess[] = [];
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'python-serve-'));
afterEach(async () => {
  // A script still running when its test failed is ended here (its own process only).
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const serve of serves.splice(0)) if (serve.alive()) await serve.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serve(args: string[]): Promise<ServeProcess> {
  const process = await startServe(args);
  serves.push(process);
  return process;
}


/**
 * The Python side: subscribes first (in a thread) and waits for `subscribed`,
 * then sends 10 snapshots of 400 samples × 12 neurons, 2 classes, with
 * SnapshotSender, each once the last one's update has come back, and ends the
 * source; prints every update of its source the subscription delivered (one
 * JSON line each).
 * Neurons 0 and 1 code the class redundantly before step 500 (both ≈ class +
 * noise) and synergistically from it (a = r + noise, b = (r XOR class) +
 * noise); the other neurons carry a fair random bit of their own plus noise.
 */
const PYTHON_SCRIPT = `
import json
import sys
import threading

import numpy as np
from synergy_client import SnapshotSender, subscribe

ingest_url, subscribe_url, source = sys.argv[1:4]
steps = [int(step) for step in sys.argv[4].split(",")]
switch = int(sys.argv[5])

received = []
problems = []
subscribed = threading.Event()
arrived = threading.Condition()


def listen():
    try:
        # The timeout only keeps a hung server from hanging this script forever.
        for message in subscribe(subscribe_url, topics=("synergy",), timeout=300):
            if message.get("type") == "subscribed":
                subscribed.set()
            elif message.get("type") == "synergy" and message.get("source") == source:
                with arrived:
                    received.append(message)
                    arrived.notify_all()
                if len(received) == len(steps):
                    break
    except BaseException as error:
        problems.append("subscriber: %r" % (error,))
    finally:
        subscribed.set()
        with arrived:
            arrived.notify_all()


def wait_for_updates(count):
    """Until the subscription has delivered \`count\` updates of the source (or the subscriber stopped)."""
    with arrived:
        arrived.wait_for(lambda: len(received) >= count or problems or not listener.is_alive())
    if len(received) < count:
        sys.exit("after snapshot %d: %d updates received; %s" % (count - 1, len(received), "; ".join(problems) or "the subscription ended"))


listener = threading.Thread(target=listen, daemon=True)
listener.start()
subscribed.wait()
if problems:
    sys.exit("\\n".join(problems))

rng = np.random.default_rng(20240611)
samples, neurons = 400, 12
labels = np.arange(samples) % 2
rng.shuffle(labels)
with SnapshotSender(ingest_url, source) as sender:
    for step in steps:
        values = rng.integers(0, 2, size=(samples, neurons)) + rng.normal(0.0, 0.3, size=(samples, neurons))
        if step < switch:
            values[:, 0] = labels + rng.normal(0.0, 0.3, samples)
            values[:, 1] = labels + rng.normal(0.0, 0.3, samples)
        else:
            r = rng.integers(0, 2, samples)
            values[:, 0] = r + rng.normal(0.0, 0.3, samples)
            values[:, 1] = (r ^ labels) + rng.normal(0.0, 0.3, samples)
        sender.send(step, values, labels)
        # One snapshot at a time: the next is sent once this one's update has come back (serve may drop
        # snapshots that come faster than it analyzes them; a training loop's snapshots are far apart).
        wait_for_updates(steps.index(step) + 1)
listener.join()
if problems:
    sys.exit("\\n".join(problems))
for message in received:
    print(json.dumps(message))
`;

/** Runs the script with Debian's python3 (PYTHONPATH=clients/python); resolves with its exit status and output once it exits. */
function runPythonScript(script: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const path = join(dir, 'serve_client.py');
  writeFileSync(path, script);
  const child = spawn(DEBIAN_PYTHON, [path, ...args], {
    cwd: dir,
    env: { ...process.env, PYTHONPATH: join(projectRoot, 'clients', 'python'), PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

function pairOf(update: SynergyUpdate, a: string | number, b: string | number): PairUpdate {
  const pair = update.pairs.find((p) => p.a === a && p.b === b);
  if (pair === undefined) throw new Error(`pair ${a}-${b} missing at t ${update.t}: ${JSON.stringify(update.pairs.slice(0, 3))}…`);
  return pair;
}

describe('the Python client against synergy serve', () => {
  it.skipIf(!hasDebianNumpy)(
    'SnapshotSender’s binary snapshots come back to subscribe() one update each: the planted pair redundant before step 500, significantly synergistic from it',
    async () => {
      const server = await serve(SERVE_ARGS);
      const run = await runPythonScript(PYTHON_SCRIPT, [server.ingestUrl, server.subscribeUrl, 'mlp-run', STEPS.join(','), String(SWITCH)]);
      expect(run.status, run.stderr).toBe(0);
      const received = run.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as SnapshotUpdate);
      // One update per snapshot, in order, named by the source, t = step = the snapshot's step.
      expect(received.map((update) => [update.source, update.t, update.step, update.snapshot, update.samples])).toEqual(
        STEPS.map((step, k) => ['mlp-run', step, step, k, 400]),
      );
      for (const update of received) {
        // Binary frames number their columns: 12 neurons, 66 pairs, ids as numbers.
        expect(update.units).toBe(12);
        expect(update.pairsComputed).toBe(66);
        expect(update.labels).toEqual({ '0': 200, '1': 200 });
        const planted = pairOf(update, 0, 1);
        if (update.step < SWITCH) {
          expect(planted.synergy, `step ${update.step}`).toBeLessThan(0);
        } else {
          expect(planted.synergy, `step ${update.step}`).toBeGreaterThan(0);
          // Beyond every one of the 19 permutations of the labels, over all pairs: the smallest p_fwer 19 surrogates allow.
          expect(planted.p_fwer, `step ${update.step}`).toBe(0.05);
        }
      }
      // What serve wrote to --out is what the subscriber got.
      const result = await server.stop();
      expect(result.code, result.stderr).toBe(0);
      expect(result.updates).toEqual(received);
    },
    120_000,
  );
});

describe('a JSON snapshot from a plain ws client', () => {
  it('gets its update, equal to SnapshotAnalyzer’s with serve’s options (named neurons, string labels, an unlabeled row)', async () => {
    const server = await serve(SERVE_ARGS);
    const subscriber = new WebSocket(server.subscribeUrl);
    const updates: SnapshotUpdate[] = [];
    let subscribed!: () => void;
    const isSubscribed = new Promise<void>((resolve) => (subscribed = resolve));
    let gotUpdate!: () => void;
    const hasUpdate = new Promise<void>((resolve) => (gotUpdate = resolve));
    subscriber.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message.type === 'subscribed') subscribed();
      if (message.type === 'synergy') {
        updates.push(message as unknown as SnapshotUpdate);
        gotUpdate();
      }
    });
    await new Promise<void>((resolve, reject) => {
      subscriber.once('open', () => resolve());
      subscriber.once('error', reject);
    });
    subscriber.send(JSON.stringify({ type: 'subscribe', topics: ['synergy'] }));
    await isSubscribed;

    // 60 rows × 4 neurons: fc.0 and fc.1 carry the class, fc.2 and fc.3 a pattern of their own.
    const classes = ['cat', 'dog', 'bird'];
    const labels: Array<string | null> = Array.from({ length: 60 }, (_, i) => (i === 7 ? null : classes[i % 3]));
    const values = Array.from({ length: 60 }, (_, i) => [(i % 3) + 0.01 * ((i * 7) % 5), (i % 3) * 2 - 0.02 * ((i * 3) % 4), (i * 13) % 7, ((i * 5) % 11) / 3]);
    const snapshot = { type: 'snapshot', seq: 0, step: 1200, labels, values, neurons: ['fc.0', 'fc.1', 'fc.2', 'fc.3'] };
    const rig = await connectRig(server.ingestUrl);
    rig.send({ type: 'hello', protocol: 1, source: 'net', kind: 'snapshots' });
    await rig.reply((frame) => frame.type === 'ready');
    rig.send(snapshot);
    await hasUpdate;
    rig.send({ type: 'end', seq: 1 });
    expect(await rig.closed).toBe(1000);
    expect(rig.replies.filter((frame) => frame.type === 'error')).toEqual([]);

    const options = await serveAnalysisOptions(SERVE_ARGS);
    const analyzer = new SnapshotAnalyzer(options);
    const expected = analyzer.analyze({
      step: 1200,
      samples: 60,
      neurons: 4,
      values: Float64Array.from(values.flat()),
      labels,
      neuronIds: snapshot.neurons,
    });
    const want = JSON.parse(JSON.stringify({ ...expected, source: 'net' })) as SnapshotUpdate;
    expect(updates).toHaveLength(1);
    expect(updates[0]).toEqual(want);
    expect(updates[0]).toMatchObject({ source: 'net', t: 1200, step: 1200, snapshot: 0, samples: 59, units: 4, pairsComputed: 6 });
    expect(pairOf(updates[0], 'fc.0', 'fc.1')).toBeDefined();
    subscriber.close();
    const result = await server.stop();
    expect(result.code, result.stderr).toBe(0);
    expect(result.updates).toEqual([want]);
  });
});
