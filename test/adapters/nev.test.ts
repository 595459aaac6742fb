import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NevRecording } from '../../adapters/nev/nevRecording.ts';
import type { OpenRecordingOptions } from '../../adapters/openRecording.ts';
import type { RecordingSource } from '../../adapters/recording.ts';
import type { SessionToWrite } from '../../simulators/sampledSession.ts';
import { defaultNevUnit, writeNev, type NevUnit, type NevWriteResult } from '../../simulators/writeNev.ts';
import type { LabelChange } from '../../src/stream/events.ts';
import {
  expectSameReplayAsCsv,
  sampledSession,
  writeLabelsCsvFile,
  writeSessionCsv,
  writeSpikesCsvFile,
  type SampledSession,
} from '../helpers/recordingFixtures.ts';
import { runCli } from '../helpers/runCli.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-nev-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const ANALYSIS = ['--bin', '0.02', '--window', '10', '--hop', '2', '--estimator', 'panzeri-treves'];
const BASIC_HEADER_BYTES = 336;

/** The unit id a NEV reader gives session unit i written with `unitOf`. */
const nevName = (unitOf: (i: number) => NevUnit) => (i: number) => `${unitOf(i).electrode}:${unitOf(i).unitClass}`;

function subfolder(name: string): string {
  const path = join(folder, name);
  mkdirSync(path, { recursive: true });
  return path;
}

/** Header fields read straight from the bytes, independently of the reader. */
function headerFields(path: string): { bytesInHeaders: number; bytesPerPacket: number; fileBytes: number } {
  const bytes = readFileSync(path);
  return { bytesInHeaders: bytes.readUInt32LE(12), bytesPerPacket: bytes.readUInt32LE(16), fileBytes: bytes.length };
}

/** Writes `bytes` into a copy of `source` at `offset` (or truncates the copy to `length`). */
function corruptCopy(source: string, name: string, change: { at?: number; bytes?: Buffer; length?: number }): string {
  const target = join(folder, name);
  const bytes = Buffer.from(readFileSync(source));
  if (change.at !== undefined && change.bytes !== undefined) change.bytes.copy(bytes, change.at);
  writeFileSync(target, bytes);
  if (change.length !== undefined) truncateSync(target, change.length);
  return target;
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
}

/** Recordings opened by a test, closed after it even when it fails. */
const opened: RecordingSource[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((recording) => recording.close()));
});
async function openNev(path: string, options: OpenRecordingOptions): Promise<RecordingSource> {
  const recording = await NevRecording.open(path, options);
  opened.push(recording);
  return recording;
}

async function collect(recording: RecordingSource, range = {}, batchSize?: number) {
  const t: number[] = [];
  const ids: string[] = [];
  const batchSizes: number[] = [];
  for await (const batch of recording.spikes(range, batchSize)) {
    batchSizes.push(batch.t.length);
    for (let i = 0; i < batch.t.length; i++) {
      t.push(batch.t[i]);
      ids.push(batch.unitIds[batch.unit[i]]);
    }
  }
  return { t, ids, batchSizes };
}

let session: SampledSession;
let nev23: string;
let nev30: string;
let written23: NevWriteResult;
let written30: NevWriteResult;
let reference: { spikes: string; labels: string };

beforeAll(async () => {
  session = sampledSession({ seconds: 40 });
  nev23 = join(folder, 'session-2.3.nev');
  nev30 = join(folder, 'session-3.0.nev');
  written23 = await writeNev(nev23, session.write, { version: '2.3', comments: [{ t: 5, text: 'start of block 2' }] });
  written30 = await writeNev(nev30, session.write, { version: '3.0' });
  reference = writeSessionCsv(subfolder('reference'), session, nevName((i) => defaultNevUnit(i)));
});

describe('NEV replay', () => {
  it('replays NEV 2.3 and 3.0 exactly as the same spikes and modes in CSV', async () => {
    expect(written23.spikes).toBe(session.t.length);
    expect(written23.ttlLabels).toBe(written30.ttlLabels);
    const [updates23] = await Promise.all([
      expectSameReplayAsCsv([nev23, '--ttl-labels', written23.ttlLabels], reference, ANALYSIS),
      expectSameReplayAsCsv([nev30, '--ttl-labels', written30.ttlLabels], reference, ANALYSIS),
    ]);
    expect(updates23.map((u) => u.t)).toEqual(Array.from({ length: 19 }, (_, k) => 2 * (k + 1)));
  });

  it('replays a --start/--end range exactly as the CSV replays it', async () => {
    const range = [...ANALYSIS, '--start', '7.31', '--end', '31.5'];
    await Promise.all([
      expectSameReplayAsCsv([nev30, '--ttl-labels', written30.ttlLabels], reference, range),
      expectSameReplayAsCsv([nev23, '--ttl-labels', written23.ttlLabels], reference, [...ANALYSIS, '--start', '12']),
    ]);
  });

  it('leaves out unsorted (unit 0) and noise (unit 255) spikes, or keeps unit 0 per electrode with --unsorted channel', async () => {
    // Session unit 4 is unclassified on electrode 2, unit 5 is noise on electrode 2.
    const unitOf = (i: number): NevUnit => (i === 4 ? { electrode: 2, unitClass: 0 } : i === 5 ? { electrode: 2, unitClass: 255 } : defaultNevUnit(i));
    const path = join(folder, 'unsorted.nev');
    const written = await writeNev(path, session.write, { version: '2.3', unitOf });
    const name = nevName(unitOf);
    const keep = (dropped: Set<number>) => {
      const t: number[] = [];
      const unit: string[] = [];
      session.unit.forEach((u, k) => {
        if (!dropped.has(u)) {
          t.push(session.t[k]);
          unit.push(name(u));
        }
      });
      return { t, unit };
    };
    const drop = subfolder('unsorted-drop');
    const dropped = keep(new Set([4, 5]));
    const dropReference = { spikes: writeSpikesCsvFile(join(drop, 'spikes.csv'), dropped.t, dropped.unit), labels: writeLabelsCsvFile(join(drop, 'labels.csv'), session.labels) };
    const channel = subfolder('unsorted-channel');
    const kept = keep(new Set([5]));
    const channelReference = { spikes: writeSpikesCsvFile(join(channel, 'spikes.csv'), kept.t, kept.unit), labels: dropReference.labels };
    expect(kept.unit).toContain('2:0');
    const [, , summary] = await Promise.all([
      expectSameReplayAsCsv([path, '--ttl-labels', written.ttlLabels], dropReference, ANALYSIS),
      expectSameReplayAsCsv([path, '--ttl-labels', written.ttlLabels, '--unsorted', 'channel'], channelReference, ANALYSIS),
      runCli(['replay', path, '--ttl-labels', written.ttlLabels, ...ANALYSIS]),
    ]);
    const count = (index: number) => session.unit.filter((u) => u === index).length;
    expect(count(4)).toBeGreaterThan(0);
    expect(summary.stderr).toContain(`${count(4)} unsorted spikes (unit 0)`);
    expect(summary.stderr).toContain(`${count(5)} noise spikes (unit 255)`);
  });
});

describe('NEV inspect', () => {
  it('shows units with spike counts and electrode labels, the digital words, and modes with --ttl-labels', async () => {
    const plain = await runCli(['inspect', nev23, '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    const description = JSON.parse(plain.stdout);
    const expectedCounts = new Map<string, number>();
    session.unit.forEach((u) => {
      const id = nevName((i) => defaultNevUnit(i))(u);
      expectedCounts.set(id, (expectedCounts.get(id) ?? 0) + 1);
    });
    expect(new Map(description.units.map((unit: { id: string; spikes: number }) => [unit.id, unit.spikes]))).toEqual(expectedCounts);
    expect(description.units.find((unit: { id: string }) => unit.id === '2:1')).toMatchObject({ electrode: 2, label: 'elec2', unit: 1 });
    expect(description.firstSpike).toBe(session.t[0]);
    expect(description.lastSpike).toBe(session.t[session.t.length - 1]);
    expect(description.sampleRate).toBe(session.sampleRate);
    // Without --ttl-labels: the words seen, with counts (one event per interval start, a 0 at the end).
    const words = description.labelSources[0].values.map((value: { label: string; count: number }) => [value.label, value.count]);
    const labels = [...new Set(session.labels.map((interval) => interval.label))];
    const gaps = session.labels.filter((interval, k) => session.labels[k + 1]?.start !== interval.end).length;
    const expectedWords = [['word 0', gaps], ...labels.map((label, k) => [`word ${k + 1}`, session.labels.filter((i) => i.label === label).length])];
    expect(words).toEqual(expectedWords);
    expect(description.notes.join('\n')).toMatch(/1 comment packets skipped/);
    expect(description.notes.join('\n')).toMatch(/--ttl-labels "0=,1=mode1,2=mode2"/);

    const text = await runCli(['inspect', nev30, '--ttl-labels', written30.ttlLabels]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/format\s+nev, 30000 samples\/s/);
    expect(text.stdout).toMatch(/units\s+6/);
    expect(text.stdout).toMatch(/1:1\s+\d+ spikes\s+\(electrode 1, label elec1, unit 1\)/);
    expect(text.stdout).toMatch(/modes from\s+digital input words \(packet id 0, 'digin'\) via --ttl-labels/);
    for (const label of labels) {
      const intervals = session.labels.filter((i) => i.label === label);
      const seconds = intervals.reduce((sum, i) => sum + i.end - i.start, 0);
      expect(text.stdout).toMatch(new RegExp(`${label}\\s+${intervals.length}, ${seconds.toFixed(1)} s`));
    }
    expect(text.stdout).toMatch(/NEV 3\.0 \('BREVENTS'\)/);
  });
});

describe('NEV errors', () => {
  /** Runs replay on a bad file: exit 1, one line `synergy: <path>: …`, no stack trace. */
  async function expectInputError(path: string, message: RegExp, extra: string[] = []) {
    const result = await runCli(['replay', path, ...extra, ...ANALYSIS]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).not.toContain('\n    at ');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(`synergy: ${path}: `), lines[0]).toBe(true);
    expect(lines[0]).toMatch(message);
  }

  it('names bad magic, truncations and inconsistent header fields with their byte offsets', async () => {
    const { bytesInHeaders, bytesPerPacket, fileBytes } = headerFields(nev23);
    const packets = (fileBytes - bytesInHeaders) / bytesPerPacket;
    expect(Number.isInteger(packets)).toBe(true);
    const badMagic = corruptCopy(nev23, 'bad-magic.nev', { at: 0, bytes: Buffer.from('NEURALXX') });
    const midPacket = 10 * bytesPerPacket + 37;
    const cases: Array<[string, RegExp, string[]?]> = [
      [badMagic, /bad magic at byte 0: expected 'NEURALEV' \(NEV 2\.x\) or 'BREVENTS' \(NEV 3\.0\), found 'NEURALXX'/, ['--format', 'nev']],
      [badMagic, /does not start with 'NEURALEV' \(bad magic at byte 0\)/],
      [corruptCopy(nev23, 'cut-in-basic-header.nev', { length: 200 }), /truncated basic header: .*336-byte basic header, the file has 200 bytes/],
      [corruptCopy(nev23, 'cut-in-extended-headers.nev', { length: BASIC_HEADER_BYTES + 50 }), new RegExp(`truncated headers: .*end at byte ${bytesInHeaders}, the file has ${BASIC_HEADER_BYTES + 50} bytes`)],
      [
        corruptCopy(nev23, 'cut-mid-packet.nev', { length: bytesInHeaders + midPacket }),
        new RegExp(`truncated packet at byte ${bytesInHeaders + 10 * bytesPerPacket}: .* 10 whole packets of ${bytesPerPacket} bytes and 37 bytes more`),
      ],
      [corruptCopy(nev23, 'cut-in-last-packet.nev', { length: fileBytes - 3 }), new RegExp(`truncated packet at byte ${fileBytes - bytesPerPacket}\\b`)],
      [corruptCopy(nev30, 'cut-3.0.nev', { length: headerFields(nev30).fileBytes - 100 }), /truncated packet at byte \d+/],
      [corruptCopy(nev23, 'small-packets.nev', { at: 16, bytes: u32(8) }), /'bytes per data packet' at byte 16 is 8: NEV 2\.3 packets hold 10 to/],
      [corruptCopy(nev30, 'small-packets-3.0.nev', { at: 16, bytes: u32(12) }), /'bytes per data packet' at byte 16 is 12: NEV 3\.0 packets hold 14 to/],
      [corruptCopy(nev23, 'odd-packets.nev', { at: 16, bytes: u32(bytesPerPacket + 1) }), /truncated packet at byte \d+/],
      [corruptCopy(nev23, 'too-many-extended.nev', { at: 332, bytes: u32(1000) }), new RegExp(`1000 extended headers \\(byte 332\\) need .* but 'bytes in headers' \\(byte 12\\) is ${bytesInHeaders}`)],
      [corruptCopy(nev23, 'short-headers.nev', { at: 12, bytes: u32(100) }), /'bytes in headers' at byte 12 is 100, less than the 336-byte basic header/],
      [corruptCopy(nev23, 'wrong-version.nev', { at: 8, bytes: Buffer.from([3, 0]) }), /spec 3\.0 at byte 8 does not match file type 'NEURALEV'/],
      [corruptCopy(nev23, 'unknown-version.nev', { at: 8, bytes: Buffer.from([2, 9]) }), /unsupported NEV spec 2\.9 at byte 8/],
      [corruptCopy(nev23, 'no-resolution.nev', { at: 20, bytes: u32(0) }), /'time resolution of timestamps' at byte 20: 0 Hz is not a plausible spike clock: expected 1 kHz – 1 GHz, e.g. 30000/],
      [corruptCopy(nev23, 'resolution-1.nev', { at: 20, bytes: u32(1) }), /'time resolution of timestamps' at byte 20: 1 Hz is not a plausible spike clock/],
      [corruptCopy(nev30, 'resolution-2e9.nev', { at: 20, bytes: u32(2e9) }), /'time resolution of timestamps' at byte 20: 2000000000 Hz is not a plausible spike clock/],
      [join(folder, 'absent.nev'), /no such file/, ['--format', 'nev']],
    ];
    await Promise.all(cases.map(([path, message, extra]) => expectInputError(path, message, extra)));
  });

  it('reads a file cut at a packet boundary as the packets it holds', async () => {
    const { bytesInHeaders, bytesPerPacket } = headerFields(nev23);
    const cut = corruptCopy(nev23, 'cut-at-boundary.nev', { length: bytesInHeaders + 500 * bytesPerPacket });
    const recording = await openNev(cut, {});
    const { t } = await collect(recording);
    // 500 packets: the spikes among them (the digital and comment packets come first at equal times).
    expect(t.length).toBeGreaterThan(480);
    expect(t.length).toBeLessThanOrEqual(500);
    expect(t).toEqual(Array.from(session.t.slice(0, t.length)));
  });

  it('refuses bad option values as usage errors (exit 2)', async () => {
    const results = await Promise.all([
      runCli(['replay', nev23, '--unsorted', 'keep', ...ANALYSIS]),
      runCli(['replay', nev23, '--ttl-labels', 'left', ...ANALYSIS]),
      runCli(['replay', nev23, '--ttl-labels', '70000=left', ...ANALYSIS]),
      runCli(['inspect', nev23, '--units', 'good']),
    ]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).not.toContain('\n    at ');
    }
    expect(results[2].stderr).toMatch(/NEV digital input words are 0–65535/);
  });
});

describe('NevRecording', () => {
  it('reads every spike in batches of at most batchSize, with progress reaching 1', async () => {
    const recording = await openNev(nev30, {});
    expect(recording.progress()).toBe(0);
    const { t, ids, batchSizes } = await collect(recording, {}, 1000);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(1000);
    expect(batchSizes.length).toBe(Math.ceil(session.t.length / 1000));
    expect(t).toEqual(Array.from(session.t));
    expect(ids).toEqual(Array.from(session.unit, nevName((i) => defaultNevUnit(i))));
    expect(recording.progress()).toBe(1);
    expect(recording.readSummary()).toEqual({ dropped: { 'digital input events (no --ttl-labels)': written30.digitalEvents }, maxBackstepSeconds: 0 });
  });

  it('finds a time range by binary search and reads only it', async () => {
    const recording = await openNev(nev23, {});
    // Ends exactly on spike times: the start's spike is in, the end's is out.
    for (const range of [{ start: 13.2, end: 21.05 }, { start: session.t[1000], end: session.t[3000] }, { start: 39.5 }, { end: 0.5 }, { start: 50 }]) {
      const { t } = await collect(recording, range);
      expect(t).toEqual(Array.from(session.t).filter((time) => time >= (range.start ?? 0) && time < (range.end ?? Infinity)));
    }
    // Progress counts the packets of the range only, so it reaches 1.
    expect(recording.progress()).toBe(1);
  });

  it('gives label changes from digital words, counting unmapped words, and the mode in force at the range start', async () => {
    const recording = await openNev(nev23, { ttlLabels: written23.ttlLabels.replace(/3=[^,]*,/, '') });
    const changes = (await recording.labels()) as LabelChange[];
    const unmapped = session.labels.filter((i) => i.label === 'mode-2').length;
    expect(unmapped).toBeGreaterThan(0);
    expect(recording.readSummary().dropped['digital input events of unmapped words']).toBe(unmapped);
    // Every change is at an interval start or end of the session, and the modes alternate.
    const boundaries = new Set(session.labels.flatMap((i) => [i.start, i.end]));
    for (const change of changes) expect(boundaries.has(change.t)).toBe(true);
    changes.forEach((change, k) => k > 0 && expect(change.label).not.toBe(changes[k - 1].label));
    const start = 20;
    const inRange = (await recording.labels({ start, end: 30 })) as LabelChange[];
    expect(inRange[0].t).toBeLessThanOrEqual(start);
    expect(inRange.slice(1).every((change) => change.t > start && change.t < 30)).toBe(true);
    expect(inRange[0]).toEqual(changes.filter((change) => change.t <= start).at(-1));
  });

  it('skips and counts packets that are neither spikes nor digital input, by kind', async () => {
    const { bytesInHeaders, bytesPerPacket } = headerFields(nev23);
    const bytes = Buffer.from(readFileSync(nev23));
    const packetAt = (k: number) => bytesInHeaders + k * bytesPerPacket;
    // Find spike packets and one digital packet, and turn them into other kinds.
    const spikePackets: number[] = [];
    let digitalPacket = -1;
    for (let k = 1; k < (bytes.length - bytesInHeaders) / bytesPerPacket && (digitalPacket < 0 || spikePackets.length < 4); k++) {
      const id = bytes.readUInt16LE(packetAt(k) + 4);
      if (id === 0 && digitalPacket < 0) digitalPacket = k;
      else if (id > 0 && id < 0x8000) spikePackets.push(k);
    }
    expect(digitalPacket).toBeGreaterThan(0);
    bytes.writeUInt16LE(0xfffe, packetAt(spikePackets[0]) + 4); // video sync
    bytes.writeUInt16LE(0xfffd, packetAt(spikePackets[1]) + 4); // tracking
    bytes.writeUInt16LE(0x9000, packetAt(spikePackets[2]) + 4); // unknown
    bytes[packetAt(spikePackets[3]) + 6] = 255; // noise
    bytes[packetAt(digitalPacket) + 6] = 129; // serial input
    const path = join(folder, 'kinds.nev');
    writeFileSync(path, bytes);
    const recording = await openNev(path, { ttlLabels: written23.ttlLabels });
    await recording.labels();
    const { t } = await collect(recording);
    expect(t.length).toBe(session.t.length - 4);
    expect(recording.readSummary().dropped).toEqual({
      'comment packets': 1,
      'video sync packets': 1,
      'tracking packets': 1,
      'packets of unknown id': 1,
      'noise spikes (unit 255)': 1,
      'serial input events': 1,
    });
  });

  it('reads NEV 3.0 64-bit timestamps beyond 2^32 ticks, which 2.3 cannot hold', async () => {
    // Day 2 of a recording at 30 kHz: sample numbers past 2^32 (39.8 h).
    const samples = Float64Array.from([2 ** 32 - 1, 2 ** 32, 2 ** 32 + 30000, 2 ** 40 + 7]);
    const late: SessionToWrite = {
      sampleRate: 30000,
      unitIds: ['a'],
      labels: [],
      seconds: 2 ** 40 / 30000,
      *chunks() {
        yield { samples, unit: new Uint32Array(samples.length) };
      },
    };
    const path = join(folder, 'late.nev');
    await writeNev(path, late, { version: '3.0' });
    const { t } = await collect(await openNev(path, {}));
    expect(t).toEqual(Array.from(samples, (sample) => sample / 30000));
    await expect(writeNev(join(folder, 'late-2.3.nev'), late, { version: '2.3' })).rejects.toThrow(/does not fit NEV 2\.3's 32-bit timestamps/);
  });

  it('leaves out a corrupt 64-bit timestamp beyond 2^32 s, counted, named with its packet and byte', async () => {
    const samples = Float64Array.from([30000, 2 ** 52, 60000]);
    const corrupt: SessionToWrite = {
      sampleRate: 30000,
      unitIds: ['a'],
      labels: [],
      seconds: 2,
      *chunks() {
        yield { samples, unit: new Uint32Array(samples.length) };
      },
    };
    const path = join(folder, 'corrupt-time.nev');
    await writeNev(path, corrupt, { version: '3.0' });
    const recording = await openNev(path, {});
    const { t } = await collect(recording);
    expect(t).toEqual([1, 2]);
    const { bytesInHeaders, bytesPerPacket } = headerFields(path);
    const summary = recording.readSummary();
    expect(summary.dropped['spikes with a time beyond 2^32 s']).toBe(1);
    expect(summary.droppedExamples).toEqual([
      `${path}, packet 1 (byte ${bytesInHeaders + bytesPerPacket}): time ${2 ** 52 / 30000} s is beyond 2^32 s (4294967296 s, about 136 years); left out`,
    ]);
  });

  it('a corrupt 32-bit timestamp (far after the rest) is left out of a replay as an outlier, named with its packet and byte', async () => {
    const { bytesInHeaders, bytesPerPacket } = headerFields(nev23);
    const bytes = readFileSync(nev23);
    let packet = 500;
    for (; ; packet++) {
      const at = bytesInHeaders + packet * bytesPerPacket;
      const id = bytes.readUInt16LE(at + 4);
      const unitClass = bytes[at + 6];
      if (id >= 1 && id <= 32767 && unitClass !== 0 && unitClass !== 255) break;
    }
    const byte = bytesInHeaders + packet * bytesPerPacket;
    const corrupt = corruptCopy(nev23, 'corrupt-timestamp.nev', { at: byte, bytes: u32(0xffffffff) });
    const [replay, clean] = await Promise.all([runCli(['replay', corrupt, ...ANALYSIS]), runCli(['replay', nev23, ...ANALYSIS])]);
    expect(replay.code, replay.stderr).toBe(0);
    const lines = replay.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^synergy replay: warning: ${corrupt}, packet ${packet} \\(byte ${byte}\\) \\(unit \\d+:\\d+\\): ${0xffffffff / 30000} s lies more than the time jump limit \\(600 s\\)`),
    );
    expect(lines.at(-1)).toMatch(/1 with outlier time/);
    // One spike fewer, and the updates at the same times: no update is spent on the span up to the corrupt time.
    const spikes = (stderr: string) => Number(/: (\d+) spikes of/.exec(stderr)![1]);
    expect(spikes(replay.stderr)).toBe(spikes(clean.stderr) - 1);
    const times = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line).t).filter((t) => t !== undefined);
    expect(times(replay.stdout)).toEqual(times(clean.stdout));
  });

  it('passes timestamps that go back through in file order, reports the largest step back, and reads ranges from the first packet', async () => {
    // Two runs on one clock that restarts at 2 s: spikes at 1.0…3.9 s, then 2.0…2.9 s.
    const run = (from: number, count: number) => Float64Array.from({ length: count }, (_, k) => Math.round((from + k * 0.1) * 30000));
    const samples = [run(1, 30), run(2, 10)];
    const unsortedSession: SessionToWrite = {
      sampleRate: 30000,
      unitIds: ['a', 'b'],
      labels: [],
      seconds: 4,
      *chunks() {
        for (const chunk of samples) yield { samples: chunk, unit: new Uint32Array(chunk.length).map((_, k) => k % 2) };
      },
    };
    const path = join(folder, 'backstep.nev');
    await writeNev(path, unsortedSession, { version: '3.0' });
    const recording = await openNev(path, {});
    const all = await collect(recording);
    const expected = samples.flatMap((chunk) => Array.from(chunk, (sample) => sample / 30000));
    expect(all.t).toEqual(expected);
    expect(recording.readSummary().maxBackstepSeconds).toBeCloseTo(3.9 - 2.0, 9);
    const ranged = await collect(recording, { start: 2.5, end: 3.5 });
    expect(ranged.t).toEqual(expected.filter((time) => time >= 2.5 && time < 3.5));
    const description = await recording.describe();
    expect(description.notes.join('\n')).toMatch(/10 spikes are earlier than a spike before them \(up to 1\.900 s/);
  });
});
