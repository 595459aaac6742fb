import { describe, expect, it } from 'vitest';
import { decodeSpikeFrame, encodeSpikeFrame, SPIKE_FRAME_HEADER_BYTES } from '../../src/live/binarySpikeFrame.ts';
import { parseIngestText, ProtocolError } from '../../src/live/ingestMessages.ts';

function problem(text: string): ProtocolError {
  try {
    parseIngestText(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error(`parsed: ${text}`);
}

describe('ingest text frames', () => {
  it('parses every message type', () => {
    expect(parseIngestText('{"type":"hello","protocol":1,"source":"rig-1","sampleRate":30000,"units":["a",7]}').message).toEqual({
      type: 'hello',
      protocol: 1,
      source: 'rig-1',
      sampleRate: 30000,
      units: ['a', '7'],
    });
    expect(parseIngestText('{"type":"spikes","seq":17,"t":[0.5,0.75],"unit":["a",3]}').message).toEqual({ type: 'spikes', seq: 17, t: [0.5, 0.75], unit: ['a', '3'] });
    expect(parseIngestText('{"type":"spikes","seq":1,"sample":[300],"unit":["a"]}').message).toEqual({ type: 'spikes', seq: 1, sample: [300], unit: ['a'] });
    expect(parseIngestText('{"type":"label","seq":18,"t":12.5,"label":"go"}').message).toEqual({ type: 'label', seq: 18, t: 12.5, label: 'go' });
    expect(parseIngestText('{"type":"label","seq":19,"t":13,"label":null}').message).toMatchObject({ label: null });
    expect(parseIngestText('{"type":"interval","seq":2,"start":1,"end":2,"label":"go"}').message).toEqual({ type: 'interval', seq: 2, start: 1, end: 2, label: 'go' });
    expect(parseIngestText('{"type":"heartbeat","seq":19,"t":13.0}').message).toEqual({ type: 'heartbeat', seq: 19, t: 13 });
    expect(parseIngestText('{"type":"units","seq":3,"units":["x"]}').message).toEqual({ type: 'units', seq: 3, units: ['x'] });
    expect(parseIngestText('{"type":"end"}').message).toEqual({ type: 'end' });
  });

  it('reports unknown fields without refusing the message', () => {
    const parsed = parseIngestText('{"type":"heartbeat","seq":1,"t":2,"samplerate":3}');
    expect(parsed.unknownFields).toEqual(['samplerate']);
  });

  it('says what is wrong, with a stable code and the seq when readable', () => {
    expect(problem('{"type":"spikes",').code).toBe('malformed-json');
    expect(problem('[1,2]').code).toBe('not-an-object');
    expect(problem('{"type":"spike","seq":4}')).toMatchObject({ code: 'unknown-type', seq: 4 });
    expect(problem('{"type":"hello","protocol":2,"source":"r"}').code).toBe('unsupported-protocol');
    expect(problem('{"type":"hello","protocol":1}').message).toMatch(/"source" must be a non-empty string/);
    expect(problem('{"type":"spikes","seq":5,"t":[1,2],"unit":["a"]}')).toMatchObject({ code: 'bad-field', seq: 5 });
    expect(problem('{"type":"spikes","seq":5,"t":[1,"x"],"unit":["a","b"]}').message).toMatch(/"t"\[1\] must be a time in seconds, 0 to 4294967296, got "x"/);
    expect(problem('{"type":"spikes","seq":5,"t":[1],"sample":[1],"unit":["a"]}').message).toMatch(/exactly one of "t"/);
    expect(problem('{"type":"spikes","seq":-1,"t":[],"unit":[]}').message).toMatch(/"seq" must be a whole number/);
    expect(problem('{"type":"label","seq":1,"t":-3,"label":"go"}').message).toMatch(/"t" must be a time in seconds, 0 to 4294967296/);
    expect(problem('{"type":"interval","seq":1,"start":3,"end":2,"label":"go"}').message).toMatch(/"end" \(2\) must be later/);
    expect(problem(`{"type":"label","seq":1,"t":1,"label":"${'x'.repeat(300)}"}`).message).toMatch(/at most 256 characters/);
  });
});

describe('binary spike frames', () => {
  it('round-trips times and unit indices, in seconds or samples', () => {
    const frame = decodeSpikeFrame(encodeSpikeFrame(42, [0.5, 1.25, 3], [0, 2, 1]));
    expect(frame.seq).toBe(42);
    expect(frame.clock).toBe('seconds');
    expect(Array.from(frame.times)).toEqual([0.5, 1.25, 3]);
    expect(Array.from(frame.units)).toEqual([0, 2, 1]);
    expect(decodeSpikeFrame(encodeSpikeFrame(1, [30000], [0], 'samples')).clock).toBe('samples');
  });

  it('reads frames that are not 8-byte aligned in memory', () => {
    const encoded = encodeSpikeFrame(7, [0.1, 0.2], [5, 6]);
    const shifted = new Uint8Array(encoded.length + 3);
    shifted.set(encoded, 3);
    const frame = decodeSpikeFrame(shifted.subarray(3));
    expect(Array.from(frame.times)).toEqual([0.1, 0.2]);
    expect(Array.from(frame.units)).toEqual([5, 6]);
  });

  it('refuses short, foreign and inconsistent frames', () => {
    const good = encodeSpikeFrame(3, [1, 2], [0, 1]);
    expect(() => decodeSpikeFrame(good.subarray(0, 10))).toThrow(/shorter than the 24-byte header/);
    const magic = Buffer.from(good);
    magic[0] = 0;
    expect(() => decodeSpikeFrame(magic)).toThrow(/bad magic at byte 0/);
    const version = Buffer.from(good);
    version[4] = 9;
    expect(() => decodeSpikeFrame(version)).toThrow(/version 9 at byte 4/);
    expect(() => decodeSpikeFrame(good.subarray(0, good.length - 1))).toThrow(/2 spikes need 48 bytes, the frame has 47/);
    const clock = Buffer.from(good);
    clock[5] = 7;
    expect(() => decodeSpikeFrame(clock)).toThrow(/clock 7 at byte 5/);
    expect(SPIKE_FRAME_HEADER_BYTES % 8).toBe(0);
  });
});
