import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'npyjs';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNumpyPython, runNumpyPeer, type NumpyPeerEstimator } from '../../bench/peers/numpyPeer.ts';
import { emissionBinsFrom, labeledBins, writePeerData, type PeerDataMeta } from '../../bench/peers/peerData.ts';
import { WORKLOAD_CHUNK_SECONDS, workloadChunks } from '../../bench/workloadEvents.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { analyzeStream } from '../../src/operators/analyzeStream.ts';
import { binOf } from '../../src/stream/binIndex.ts';
import type { LabelChange, SourceEvent } from '../../src/stream/events.ts';
import { compareUnitIds, outputUnitId } from '../../src/stream/unitIds.ts';
import { Population, type PopulationOptions } from '../../simulators/population.ts';

/**
 * The numpy peer of the benchmark (bench/peers/numpy_synergy.py) computes
 * what our analyzer computes: on a small recording, its last hop's top pairs
 * — every pair here — equal the analyzer's update at the same hop, in the
 * same order, to 1e-9 bits, for plug-in and Miller–Madow. The bins it reads
 * are the analyzer's own (binSpikes, attachLabels); a gap in the labels makes
 * some of them unlabeled, so dropping them is checked too.
 */
const python = findNumpyPython();

const population: PopulationOptions = { units: 12, meanRateHz: 5, seed: 11, synergisticPairs: 2, redundantPairs: 2, modeDwellSeconds: 1 };
const window = { binSeconds: 0.02, windowSeconds: 10, hopSeconds: 1, levels: 3, latenessSeconds: 0.1 };
const totalSeconds = 20;
/** The emissions the peer recomputes: T = 10 … 19 s; the last (19 s) is compared. */
const firstEmissionSeconds = 10;
const hops = 10;
/** No mode over [13.51, 14.27): bins 675 … 713 are unlabeled (the first and last straddle the gap's edges). */
const gap = { from: 13.51, to: 14.27 };

/** The recording in 100 ms chunks, as the benchmark sends it, with no mode over the gap. */
function recordingEvents(): SourceEvent[] {
  const { chunks } = workloadChunks(population, totalSeconds);
  const isLabel = (event: SourceEvent): event is LabelChange => event.kind === 'label';
  const opened: LabelChange = { kind: 'label', t: gap.from, label: null };
  const resumed: LabelChange = { kind: 'label', t: gap.to, label: new Population(population).labelAt(gap.to) };
  for (const chunk of chunks) {
    // A mode change inside the gap would end it: left out (the mode at the gap's end is resumed's).
    const kept = chunk.filter((event) => !(isLabel(event) && event.t > gap.from && event.t < gap.to));
    chunk.splice(0, chunk.length, ...kept);
  }
  for (const change of [opened, resumed]) {
    // Into the chunk that holds its time, among the chunk's label changes (which come before its spikes).
    const chunk = chunks[Math.floor(change.t / WORKLOAD_CHUNK_SECONDS)];
    const labels = [...chunk.filter(isLabel), change].sort((x, y) => x.t - y.t);
    chunk.splice(0, chunk.length, ...labels, ...chunk.filter((event) => !isLabel(event)));
  }
  return chunks.flat();
}

async function analyzerUpdates(events: SourceEvent[], estimator: NumpyPeerEstimator): Promise<SynergyUpdate[]> {
  const updates: SynergyUpdate[] = [];
  const subject = new Subject<SourceEvent>();
  const done = new Promise<void>((resolve, reject) =>
    subject
      .pipe(analyzeStream({ ...window, estimator, surrogates: 0, seed: 1, top: 100 }))
      .subscribe({ next: (update) => updates.push(update), error: reject, complete: resolve }),
  );
  for (const event of events) subject.next(event);
  subject.complete();
  await done;
  return updates;
}

function readNpy(path: string) {
  const bytes = readFileSync(path);
  return parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

interface PeerDump {
  emissionBin: number;
  samples: number;
  unlabeled: number;
  labels: Record<string, number>;
  pairs: { i: number; j: number; a: string; b: string; joint: number; ia: number; ib: number; synergy: number }[];
}

describe.skipIf(!python.found)(`the numpy peer equals the analyzer${python.found ? '' : ` (skipped: ${python.reason})`}`, () => {
  let folder: string;
  let events: SourceEvent[];
  let meta: PeerDataMeta;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'numpy-peer-test-'));
    events = recordingEvents();
    const data = labeledBins(events, window);
    meta = writePeerData(folder, data, window, emissionBinsFrom(data, window, firstEmissionSeconds, hops));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('writes the bins as the spikes and modes give them: counts capped at levels − 1, the gap unlabeled', () => {
    const symbols = readNpy(join(folder, 'symbols.npy'));
    const labels = readNpy(join(folder, 'labels.npy'));
    expect(symbols.dtype).toBe('u1');
    expect(symbols.shape).toEqual([meta.bins, meta.units]);
    expect(labels.dtype).toBe('i4');
    expect(meta.units).toBe(population.units);
    expect(meta.emissionBins).toEqual(Array.from({ length: hops }, (_, k) => 500 + 50 * k));

    // Counted here straight from the spikes, by the bin rule (DESIGN §3).
    const counts = new Map<string, number>();
    for (const event of events) {
      if (event.kind !== 'spikes') continue;
      for (let k = 0; k < event.t.length; k++) {
        const key = `${binOf(event.t[k], window.binSeconds)}:${event.unitIds[event.unit[k]]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const modes = new Population(population);
    let unlabeled = 0;
    for (let row = 0; row < meta.bins; row++) {
      const bin = meta.firstBin + row;
      for (let u = 0; u < meta.units; u++) {
        expect((symbols.data as Uint8Array)[row * meta.units + u]).toBe(Math.min(counts.get(`${bin}:${meta.unitIds[u]}`) ?? 0, window.levels - 1));
      }
      const label = (labels.data as Int32Array)[row];
      const inGap = (bin + 1) * window.binSeconds > gap.from && bin * window.binSeconds < gap.to;
      if (inGap) {
        expect(label).toBe(-1);
        unlabeled++;
      } else {
        expect(meta.modeNames[label]).toBe(modes.labelAt(bin * window.binSeconds));
      }
    }
    expect(unlabeled).toBe(713 - 675 + 1);
  });

  for (const estimator of ['plugin', 'miller-madow'] as const) {
    it(`${estimator}: the last hop's pairs, in order, equal the analyzer's update at that hop to 1e-9 bits`, async () => {
      if (!python.found) return;
      const dumpFile = join(folder, `${estimator}.json`);
      const result = runNumpyPeer(python.python, folder, estimator, { top: 100, dump: dumpFile });
      expect(result.name).toBe(`peer/numpy/${estimator}/12-units`);
      expect(result.hops).toBe(hops);
      const peer = JSON.parse(readFileSync(dumpFile, 'utf8')) as PeerDump;

      const updates = await analyzerUpdates(events, estimator);
      const ours = updates.find((update) => Math.round(update.t / window.binSeconds) === peer.emissionBin)!;
      expect(ours, `an update at bin ${peer.emissionBin}`).toBeDefined();
      expect(peer.emissionBin).toBe(950);
      // The same bins: as many labeled, per mode, and dropped (the gap lies inside the window [9, 19) s).
      expect(peer.samples).toBe(ours.samples);
      expect(peer.unlabeled).toBe(ours.dropped.unlabeled);
      expect(peer.unlabeled).toBe(713 - 675 + 1);
      expect(peer.labels).toEqual(ours.labels);
      expect(ours.units).toBe(meta.units);

      // Every pair (66 ≤ top), in the same order; the peer names a pair by unit index (i < j), the update canonically.
      expect(ours.pairs).toHaveLength((12 * 11) / 2);
      expect(peer.pairs).toHaveLength(ours.pairs.length);
      peer.pairs.forEach((pair, k) => {
        const swap = compareUnitIds(outputUnitId(pair.a), outputUnitId(pair.b)) > 0;
        const expected = ours.pairs[k];
        expect([expected.a, expected.b], `pair ${k}`).toEqual(swap ? [outputUnitId(pair.b), outputUnitId(pair.a)] : [outputUnitId(pair.a), outputUnitId(pair.b)]);
        expect(Math.abs(pair.joint - expected.joint), `joint of pair ${k}`).toBeLessThan(1e-9);
        expect(Math.abs((swap ? pair.ib : pair.ia) - expected.ia), `ia of pair ${k}`).toBeLessThan(1e-9);
        expect(Math.abs((swap ? pair.ia : pair.ib) - expected.ib), `ib of pair ${k}`).toBeLessThan(1e-9);
        expect(Math.abs(pair.synergy - expected.synergy), `synergy of pair ${k}`).toBeLessThan(1e-9);
      });
      // The planted pairs are there, with their signs: the recording is not trivial.
      expect(peer.pairs.slice(0, 4).some((pair) => pair.synergy > 0.05)).toBe(true);
    });
  }
});
