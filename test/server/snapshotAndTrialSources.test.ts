import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { encodeSpikeFrame } from '../../src/live/binarySpikeFrame.ts';
import { encodeSnapshotFrame } from '../../src/snapshots/binarySnapshotFrame.ts';
import type { Snapshot } from '../../src/snapshots/snapshot.ts';
import { SnapshotAnalyzer, type SnapshotUpdate } from '../../src/snapshots/snapshotAnalysis.ts';
import { spikeBatch } from '../../src/stream/events.ts';
import type { AnalysisOptions } from '../../src/stream/options.ts';
import { TrialAnalyzer, type TrialUpdate } from '../../src/trials/trialAnalysis.ts';
import { connectRig, type ProtocolRig } from '../helpers/protocolRig.ts';
import { serveAnalysisOptions, startServe, type ServeProcess } from '../helpers/serveProcess.ts';
import { trialSession } from '../helpers/trialSessions.ts';

/**
 * The two new kinds of source of `synergy serve` (docs/PROTOCOL.md, "Trials
 * and snapshots"), over real sockets to the real command: a snapshot
 * source's refusals (each an error reply with its code, the connection open
 * and the analysis untouched), and a live trial source whose updates equal a
 * TrialAnalyzer fed the same spikes and trials with serve's options.
 */

const serves: ServeProcess[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const serve of serves.splice(0)) if (serve.alive()) await serve.stop();
});

async function serve(args: string[]): Promise<ServeProcess> {
  const process = await startServe(args);
  serves.push(process);
  return process;
}


/** A subscriber of every update: `until(n)` resolves once n updates of `source` have come. */
async function subscribeUpdates(url: string, source: string): Promise<{ updates: SynergyUpdate[]; until: (n: number) => Promise<void> }> {
  const socket = new WebSocket(url);
  sockets.push(socket);
  const updates: SynergyUpdate[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let subscribed!: () => void;
  const isSubscribed = new Promise<void>((resolve) => (subscribed = resolve));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    if (message.type === 'subscribed') subscribed();
    if (message.type !== 'synergy' || message.source !== source) return;
    updates.push(message as unknown as SynergyUpdate);
    for (const waiter of [...waiters]) {
      if (updates.length < waiter.n) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'subscribe', topics: ['synergy'] }));
  await isSubscribed;
  return {
    updates,
    until: (n) => (updates.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}

/** Resolves with the error reply to `seq` (or, with seq undefined, the next error reply without one), and checks its code. */
async function refusal(rig: ProtocolRig, code: string, seq: number | undefined): Promise<Record<string, unknown>> {
  const seen = rig.replies.filter((frame) => frame.type === 'error').length;
  const reply = await rig.reply((frame) => frame.type === 'error' && (seq === undefined ? frame.seq === undefined && rig.replies.indexOf(frame) >= seen : frame.seq === seq));
  expect(reply, JSON.stringify(reply)).toMatchObject({ type: 'error', code });
  // The connection stays open.
  expect(rig.socket.readyState).toBe(WebSocket.OPEN);
  return reply;
}

/** The JSON snapshot message of `snapshot`, labels as numbers where they are class codes. */
function snapshotMessage(seq: number, snapshot: Snapshot): Record<string, unknown> {
  const rows = Array.from({ length: snapshot.samples }, (_, s) => Array.from(snapshot.values.subarray(s * snapshot.neurons, (s + 1) * snapshot.neurons)));
  return {
    type: 'snapshot',
    seq,
    step: snapshot.step,
    labels: snapshot.labels.map((label) => (label === null ? null : Number(label))),
    values: rows,
    ...(snapshot.neuronIds === undefined ? {} : { neurons: snapshot.neuronIds }),
  };
}

/** The SSNP frame of `snapshot` (float64, so that the values are exactly the JSON ones). */
function snapshotFrame(seq: number, snapshot: Snapshot): Uint8Array {
  const labels = Int32Array.from(snapshot.labels, (label) => (label === null ? -1 : Number(label)));
  return encodeSnapshotFrame(seq, snapshot.step, labels, Float64Array.from(snapshot.values), snapshot.samples, snapshot.neurons);
}

/** A snapshot of 90 rows × `neurons`: classes 0, 1, 2 in turn; column 0 the class, column 1 the class with a twist, the rest patterns. */
function testSnapshot(step: number, neurons: number, neuronIds?: string[]): Snapshot {
  const samples = 90;
  const values = new Float64Array(samples * neurons);
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < neurons; c++) {
      values[s * neurons + c] = c === 0 ? (s % 3) + 0.001 * s : c === 1 ? ((s % 3) * (1 + step / 1000) + ((s * 7) % 5)) % 4 : ((s * (c + 3) + step) % 11) / 10;
    }
  }
  return { step, samples, neurons, values, labels: Array.from({ length: samples }, (_, s) => String(s % 3)), ...(neuronIds === undefined ? {} : { neuronIds }) };
}

describe('synergy serve: a snapshot source’s refusals', () => {
  const ARGS = ['--surrogates', '19', '--max-units', '8'];

  it('each refused snapshot message gets an error reply with its code; the connection stays open and the analysis goes on untouched', async () => {
    const server = await serve(ARGS);
    const live = await subscribeUpdates(server.subscribeUrl, 'net');
    const rig = await connectRig(server.ingestUrl);
    rig.send({ type: 'hello', protocol: 1, source: 'net', kind: 'snapshots' });
    await rig.reply((frame) => frame.type === 'ready');

    const first = testSnapshot(100, 4);
    rig.send(snapshotMessage(0, first));
    await live.until(1);

    // Spikes, labels and heartbeats are not a snapshot source's to send.
    rig.send({ type: 'spikes', seq: 1, t: [100.5], unit: ['a'] });
    await refusal(rig, 'wrong-kind', 1);
    rig.send({ type: 'heartbeat', seq: 2, t: 101 });
    await refusal(rig, 'wrong-kind', 2);
    // A step before the last snapshot's, as JSON and as a binary frame.
    rig.send(snapshotMessage(3, testSnapshot(50, 4)));
    await refusal(rig, 'step-backwards', 3);
    rig.socket.send(snapshotFrame(4, testSnapshot(99.5, 4)));
    await refusal(rig, 'step-backwards', 4);
    // 9 neurons in one snapshot, past --max-units 8; and 5 new names beside the 4 columns seen (9 distinct neurons).
    rig.send(snapshotMessage(5, testSnapshot(200, 9)));
    await refusal(rig, 'too-many-units', 5);
    rig.send(snapshotMessage(6, testSnapshot(200, 5, ['n4', 'n5', 'n6', 'n7', 'n8'])));
    await refusal(rig, 'too-many-units', 6);
    // Malformed snapshots: rows of different lengths, labels not one per row, a value that is not a number.
    rig.send({ type: 'snapshot', seq: 7, step: 200, labels: [0, 1], values: [[1, 2], [3]] });
    expect((await refusal(rig, 'bad-field', 7)).message).toMatch(/"values" row 1 has 1 entries/);
    rig.send({ type: 'snapshot', seq: 8, step: 200, labels: [0], values: [[1, 2], [3, 4]] });
    expect((await refusal(rig, 'bad-field', 8)).message).toMatch(/"labels" has 1 entries for 2 rows/);
    rig.send({ type: 'snapshot', seq: 9, step: 200, labels: [0, 1], values: [[1, 2], [3, 'x']] });
    expect((await refusal(rig, 'bad-field', 9)).message).toMatch(/row 1, column 1/);
    // A binary SSNP frame one byte short: its seq is not read (no seq in the reply), so 10 is not used up.
    const whole = snapshotFrame(10, testSnapshot(200, 4));
    rig.socket.send(whole.subarray(0, whole.length - 1));
    expect((await refusal(rig, 'bad-binary-frame', undefined)).message).toMatch(/the frame has/);
    // A frame of 65,536 rows (one neuron).
    const rows = 65_536;
    rig.socket.send(encodeSnapshotFrame(10, 200, new Int32Array(rows).map((_, s) => s % 2), new Float32Array(rows).map((_, s) => s % 7), rows, 1));
    await refusal(rig, 'too-many-samples', 10);

    // Still open: the next snapshot, as a binary frame, is analyzed as if nothing had been refused.
    const second = testSnapshot(300, 4);
    rig.socket.send(snapshotFrame(11, second));
    await live.until(2);
    rig.send({ type: 'end', seq: 12 });
    expect(await rig.closed).toBe(1000);
    expect(rig.replies.filter((frame) => frame.type === 'error').map((frame) => frame.code)).toEqual([
      'wrong-kind',
      'wrong-kind',
      'step-backwards',
      'step-backwards',
      'too-many-units',
      'too-many-units',
      'bad-field',
      'bad-field',
      'bad-field',
      'bad-binary-frame',
      'too-many-samples',
    ]);

    const analyzer = new SnapshotAnalyzer(await serveAnalysisOptions(ARGS));
    const expected = JSON.parse(JSON.stringify([first, second].map((snapshot) => ({ ...analyzer.analyze(snapshot), source: 'net' })))) as SnapshotUpdate[];
    expect(expected.map((update) => [update.step, update.snapshot, update.units, update.pairsComputed])).toEqual([
      [100, 0, 4, 6],
      [300, 1, 4, 6],
    ]);
    expect(live.updates).toEqual(expected);
    const result = await server.stop();
    expect(result.code, result.stderr).toBe(0);
    expect(result.updates).toEqual(expected);
  });

  it('a snapshot (JSON or binary) or a trial on a spike source is refused with wrong-kind; the source goes on', async () => {
    const server = await serve(ARGS);
    const rig = await connectRig(server.ingestUrl);
    rig.send({ type: 'hello', protocol: 1, source: 'rig', units: ['a', 'b'] });
    await rig.reply((frame) => frame.type === 'ready');
    rig.send(snapshotMessage(0, testSnapshot(100, 4)));
    await refusal(rig, 'wrong-kind', 0);
    rig.socket.send(snapshotFrame(1, testSnapshot(100, 4)));
    await refusal(rig, 'wrong-kind', 1);
    rig.send({ type: 'trial', seq: 2, t: 1, label: 'go' });
    await refusal(rig, 'wrong-kind', 2);
    // Its spikes, JSON and binary, and its end are taken.
    rig.send({ type: 'spikes', seq: 3, t: [0.5, 0.6], unit: ['a', 'b'] });
    rig.socket.send(encodeSpikeFrame(4, [0.7], [1]));
    rig.send({ type: 'end', seq: 5 });
    expect(await rig.closed).toBe(1000);
    expect(rig.replies.filter((frame) => frame.type === 'error')).toHaveLength(3);
  });
});

describe('synergy serve: a live trial source', () => {
  const ARGS = ['--surrogates', '19', '--top', '10'];
  const WINDOW: [number, number] = [0, 0.05];
  const SLIDING = { count: 60, hop: 20 };
  const UNITS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];

  it('spikes (JSON and binary), trials announced just before or just after their onsets, heartbeats and end give the updates of a TrialAnalyzer fed the same, each as its hop closes', async () => {
    const options = await serveAnalysisOptions(ARGS);
    const lateness = options.latenessSeconds;
    const session = trialSession(31, 300, UNITS.length, true);

    // The messages, in time order: for trial k, the spikes before its onset, then (k even) the trial, the
    // spikes of [onset, onset + 0.03), (k odd) the trial — announced after spikes of its window came —, and
    // a heartbeat at onset + 0.03.
    type Step =
      | { kind: 'spikes'; t: number[]; unit: string[]; binary: boolean }
      | { kind: 'trial'; t: number; label: string }
      | { kind: 'heartbeat'; t: number };
    const steps: Step[] = [];
    let next = 0;
    const spikesBefore = (end: number, binary: boolean) => {
      const from = next;
      while (next < session.t.length && session.t[next] < end) next++;
      if (next > from) steps.push({ kind: 'spikes', t: session.t.slice(from, next), unit: session.unit.slice(from, next), binary });
    };
    session.onsets.forEach(({ onset, label }, k) => {
      spikesBefore(onset, false);
      if (k % 2 === 0) steps.push({ kind: 'trial', t: onset, label: label! });
      spikesBefore(onset + 0.03, k % 4 === 1);
      if (k % 2 === 1) steps.push({ kind: 'trial', t: onset, label: label! });
      steps.push({ kind: 'heartbeat', t: onset + 0.03 });
    });
    spikesBefore(Infinity, false);

    // Offline: a TrialAnalyzer with serve's options fed the same spikes, trials and heartbeats, then finished.
    const analyzer = new TrialAnalyzer([], { from: WINDOW[0], to: WINDOW[1] }, options, SLIDING);
    const offline: TrialUpdate[] = [];
    for (const step of steps) {
      if (step.kind === 'spikes') offline.push(...analyzer.push(spikeBatch(step.t, step.unit)));
      else if (step.kind === 'trial') expect(analyzer.addTrial(step.t, step.label)).toBe(true);
      else offline.push(...analyzer.advance(step.t));
    }
    offline.push(...analyzer.finish());
    const expected = JSON.parse(JSON.stringify(offline.map((update) => ({ ...update, source: 'trials' })))) as TrialUpdate[];
    expect(expected.map((update) => update.trials)).toEqual(Array.from({ length: 15 }, (_, k) => [Math.max(0, 20 * (k + 1) - 60), 20 * (k + 1)]));
    // The planted pair (u0, u1: together they tell even from odd conditions) leads the full windows, beyond every permutation.
    for (const update of expected.slice(2)) expect(update.pairs[0]).toMatchObject({ a: 'u0', b: 'u1', p_fwer: 0.05 });
    // Announced just after its onset, a trial still counts the spikes that came before it: the same updates as every trial given up front.
    expect(analyzer.lateTrials).toBe(0);
    expect(analyzer.lateSpikes).toBe(0);
    const upFront = new TrialAnalyzer(session.onsets, { from: WINDOW[0], to: WINDOW[1] }, options, SLIDING);
    expect([...upFront.push(spikeBatch(session.t, session.unit)), ...upFront.finish()]).toEqual(offline);

    // When each update is due: once time has passed its last trial's window end plus the lateness.
    const dueAt = expected.map((update) => session.onsets[update.trials[1] - 1].onset + WINDOW[1] + lateness);
    const lastOnset = session.onsets.at(-1)!.onset;
    const lastHeartbeat = lastOnset + 0.03;

    const server = await serve(ARGS);
    const live = await subscribeUpdates(server.subscribeUrl, 'trials');
    const rig = await connectRig(server.ingestUrl);
    rig.send({ type: 'hello', protocol: 1, source: 'trials', units: UNITS, trials: { window: WINDOW, count: SLIDING.count, hop: SLIDING.hop } });
    await rig.reply((frame) => frame.type === 'ready');
    let seq = 0;
    for (const step of steps) {
      if (step.kind === 'spikes') {
        if (step.binary) rig.socket.send(encodeSpikeFrame(seq++, step.t, step.unit.map((id) => UNITS.indexOf(id))));
        else rig.send({ type: 'spikes', seq: seq++, t: step.t, unit: step.unit });
      } else if (step.kind === 'trial') {
        rig.send({ type: 'trial', seq: seq++, t: step.t, label: step.label });
      } else {
        rig.send({ type: 'heartbeat', seq: seq++, t: step.t });
        // The updates due by now are published before the source ends (a hair of margin against rounding at the boundary).
        const due = dueAt.filter((time) => time < step.t - 1e-9).length;
        if (due > live.updates.length) await live.until(due);
      }
    }
    // Every update due before the end came live, before the end: all but the last hop's.
    expect(dueAt.filter((time) => time < lastHeartbeat - 1e-9)).toHaveLength(expected.length - 1);
    expect(live.updates).toHaveLength(expected.length - 1);

    // Refused on a trial source, changing nothing: a trial whose onset goes back, a label, an interval.
    rig.send({ type: 'trial', seq, t: lastOnset - 1, label: 'c0' });
    expect((await refusal(rig, 'bad-field', seq++)).message).toMatch(/before the last trial's onset/);
    rig.send({ type: 'label', seq, t: lastOnset + 0.04, label: 'c1' });
    await refusal(rig, 'wrong-kind', seq++);
    rig.send({ type: 'interval', seq, start: lastOnset + 0.04, end: lastOnset + 0.045, label: 'c1' });
    await refusal(rig, 'wrong-kind', seq++);
    rig.send({ type: 'end', seq });
    expect(await rig.closed).toBe(1000);
    await live.until(expected.length);

    expect(live.updates).toEqual(expected);
    const result = await server.stop();
    expect(result.code, result.stderr).toBe(0);
    expect(result.updates).toEqual(expected);
  });
});
