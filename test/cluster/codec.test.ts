import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeControl,
  decodeDocument,
  decodeTileEmission,
  decodeTileFrame,
  encodeControl,
  encodeDocument,
  encodeTileEmission,
  encodeTileFrame,
  type ExtraFields,
  type ScalarValue,
} from '../../src/cluster/codec.ts';
import type { TileEmission, TileFrame, TilePair } from '../../src/engine/tiles.ts';
import { BadDataError } from '../../src/errors.ts';

/**
 * Same bits: numbers by Object.is (−0 ≠ 0, NaN = NaN), typed arrays by type
 * and byte content (NaN payloads included), objects key by key (a key
 * present with undefined is not the same as a key absent).
 */
function expectSameBits(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number') {
    expect(Object.is(actual, expected), `${path}: ${String(actual)} vs ${String(expected)}`).toBe(true);
    return;
  }
  if (ArrayBuffer.isView(expected)) {
    expect(Object.prototype.toString.call(actual), path).toBe(Object.prototype.toString.call(expected));
    const bytes = (view: ArrayBufferView) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    expect(bytes(actual as ArrayBufferView).equals(bytes(expected)), `${path}: bytes differ`).toBe(true);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length);
    expected.forEach((item, k) => expectSameBits((actual as unknown[])[k], item, `${path}[${k}]`));
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    expect(typeof actual === 'object' && actual !== null, path).toBe(true);
    expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const [key, item] of Object.entries(expected)) expectSameBits((actual as Record<string, unknown>)[key], item, `${path}.${key}`);
    return;
  }
  expect(actual, path).toBe(expected);
}

/** Doubles with the edges weighted in: ±0, ±Infinity, NaN, subnormals, the extremes. */
const anyDouble = fc.oneof(fc.double(), fc.constantFrom(-0, 0, -Infinity, Infinity, NaN, Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2));
const scalar: fc.Arbitrary<ScalarValue> = fc.oneof(fc.string(), anyDouble, fc.boolean(), fc.constant(null));
const extraFields: fc.Arbitrary<ExtraFields> = fc.dictionary(fc.string(), scalar, { maxKeys: 5 });
const uint32 = fc.nat({ max: 0xffff_ffff });

const tileFrame: fc.Arbitrary<TileFrame> = fc
  .record({ firstBin: fc.nat({ max: 2 ** 45 }), units: fc.nat({ max: 40 }), modes: fc.nat({ max: 5 }), binCount: fc.nat({ max: 12 }), startTime: anyDouble })
  .chain(({ firstBin, units, modes, binCount, startTime }) =>
    fc
      .array(
        fc.record({
          fired: units === 0 ? fc.constant([]) : fc.uniqueArray(fc.nat({ max: units - 1 }), { maxLength: Math.min(units, 8) }),
          counts: fc.array(fc.integer({ min: 1, max: 0xffff_ffff }), { minLength: 8, maxLength: 8 }),
          label: fc.integer({ min: -1, max: modes - 1 }),
        }),
        { minLength: binCount, maxLength: binCount },
      )
      .map((bins) => {
        const offsets = new Uint32Array(binCount + 1);
        const unit: number[] = [];
        const count: number[] = [];
        bins.forEach((bin, b) => {
          const fired = [...bin.fired].sort((x, y) => x - y);
          fired.forEach((u, k) => {
            unit.push(u);
            count.push(bin.counts[k]);
          });
          offsets[b + 1] = unit.length;
        });
        return { firstBin, binCount, offsets, unit: Uint32Array.from(unit), count: Uint32Array.from(count), label: Int32Array.from(bins.map((bin) => bin.label)), units, modes, startTime };
      }),
  );

const tilePair = (available: number): fc.Arbitrary<TilePair> =>
  fc
    .record(
      {
        i: fc.nat({ max: 0xffff_fffe }),
        gap: fc.integer({ min: 1, max: 1000 }),
        joint: anyDouble,
        ia: anyDouble,
        ib: anyDouble,
        synergy: anyDouble,
        excess: anyDouble,
        beyond: fc.nat({ max: available }),
      },
      { requiredKeys: ['i', 'gap', 'joint', 'ia', 'ib', 'synergy'] },
    )
    .map(({ i, gap, ...rest }) => ({ i, j: Math.min(0xffff_ffff, i + gap), ...rest }));

const tileEmission: fc.Arbitrary<TileEmission> = fc
  .record({ tile: fc.nat({ max: 1000 }), endBin: fc.nat({ max: 2 ** 45 }), available: fc.nat({ max: 12 }), withSignificance: fc.boolean() })
  .chain(({ tile, endBin, available, withSignificance }) =>
    fc
      .record({
        pairs: fc.array(tilePair(available), { maxLength: 10 }),
        maxima: fc.array(anyDouble, { minLength: available, maxLength: available }),
        beyondCounts: fc.array(uint32, { minLength: available + 1, maxLength: available + 1 }),
        candidates: fc.array(anyDouble, { maxLength: 6 }),
        effective: anyDouble,
      })
      .map(({ pairs, maxima, beyondCounts, candidates, effective }) => {
        const emission: TileEmission = { tile, endBin, pairs };
        if (withSignificance) {
          emission.significance = { available, effective, maxima: Float64Array.from(maxima), beyondCounts: Uint32Array.from(beyondCounts), candidates: Float64Array.from(candidates) };
        }
        return emission;
      }),
  );

const sampleFrame = (): TileFrame => ({
  firstBin: 40,
  binCount: 3,
  offsets: Uint32Array.of(0, 2, 2, 3),
  unit: Uint32Array.of(0, 3, 1),
  count: Uint32Array.of(1, 2, 1),
  label: Int32Array.of(0, -1, 1),
  units: 4,
  modes: 2,
  startTime: -0,
});

const sampleEmission = (): TileEmission => ({
  tile: 2,
  endBin: 99,
  pairs: [
    { i: 0, j: 3, joint: 0.5, ia: 0.1, ib: 0.2, synergy: 0.2, excess: 0.15, beyond: 0 },
    { i: 1, j: 2, joint: 0.25, ia: 0.1, ib: 0.1, synergy: -0.05, beyond: 2 },
  ],
  significance: { available: 3, effective: 2.5, maxima: Float64Array.of(0.1, -Infinity, NaN), beyondCounts: Uint32Array.of(4, 0, 1, 0), candidates: Float64Array.of(0.15) },
});

/** Rewrites a message's header (keeping its arrays' bytes), to build malformed ones. */
function withHeader(message: Buffer, edit: (header: Record<string, unknown>) => unknown): Buffer {
  const headerBytes = message.readUInt32LE(8);
  const header = JSON.parse(message.subarray(12, 12 + headerBytes).toString('utf8')) as Record<string, unknown>;
  const body = message.subarray(Math.ceil((12 + headerBytes) / 8) * 8);
  const text = Buffer.from(JSON.stringify(edit(header) ?? header), 'utf8');
  const head = Buffer.alloc(Math.ceil((12 + text.length) / 8) * 8);
  message.copy(head, 0, 0, 8);
  head.writeUInt32LE(text.length, 8);
  text.copy(head, 12);
  return Buffer.concat([head, body]);
}

/** Calls `decode` and returns what it threw (failing the test if it returned). */
function thrown(decode: () => unknown): unknown {
  try {
    decode();
  } catch (error) {
    return error;
  }
  throw new Error('decoded without an error');
}

function expectRejected(decode: () => unknown, message: RegExp): void {
  const error = thrown(decode);
  expect(error).toBeInstanceOf(BadDataError);
  expect((error as BadDataError).code).toBe('CLUSTER_MESSAGE');
  expect((error as Error).message).toMatch(message);
}

describe('tile frame codec', () => {
  it('round-trips every frame and its extra scalars bit for bit', () => {
    fc.assert(
      fc.property(tileFrame, extraFields, (frame, extra) => {
        const decoded = decodeTileFrame(encodeTileFrame(frame, extra));
        expectSameBits(decoded.frame, frame);
        expectSameBits(decoded.extra, extra);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes from a Buffer at any byte offset (as a reply slice is), into aligned arrays of its own', () => {
    const bytes = encodeTileFrame(sampleFrame(), { worker: 'w1' });
    for (const shift of [1, 3, 5, 7]) {
      const host = Buffer.alloc(bytes.length + shift);
      bytes.copy(host, shift);
      const { frame, extra } = decodeTileFrame(host.subarray(shift));
      expectSameBits(frame, sampleFrame());
      expect(extra).toEqual({ worker: 'w1' });
      host.fill(0);
      expect(Array.from(frame.unit)).toEqual([0, 3, 1]);
    }
  });

  it('lays out the arrays 8-byte aligned after the header', () => {
    const bytes = encodeTileFrame(sampleFrame());
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('SYNC');
    expect(bytes.length % 8).toBe(0);
    const headerBytes = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.subarray(12, 12 + headerBytes).toString()) as { arrays: unknown[] };
    expect(header.arrays).toEqual([
      ['offsets', 'u32', 4],
      ['unit', 'u32', 3],
      ['count', 'u32', 3],
      ['label', 'i32', 3],
    ]);
    const first = Math.ceil((12 + headerBytes) / 8) * 8;
    expect(bytes.readUInt32LE(first + 4 * 3)).toBe(3); // offsets[3], little-endian
    expect(bytes.readUInt32LE(first + 16 + 4)).toBe(3); // unit[1], at the next multiple of 8 after 16 bytes of offsets
  });

  it('refuses to encode a frame a reader would refuse', () => {
    expect(() => encodeTileFrame({ ...sampleFrame(), unit: Uint32Array.of(0, 4, 1) })).toThrow(BadDataError);
    expect(() => encodeTileFrame({ ...sampleFrame(), binCount: 2 })).toThrow(/offsets/);
    expect(() => encodeTileFrame({ ...sampleFrame(), firstBin: -1 })).toThrow(/firstBin/);
  });

  it('rejects every truncation with BadDataError', () => {
    const bytes = encodeTileFrame(sampleFrame(), { note: 'x' });
    for (let length = 0; length < bytes.length; length++) expect(() => decodeTileFrame(bytes.subarray(0, length)), `${length} bytes`).toThrow(BadDataError);
    expect(() => decodeTileFrame(Buffer.concat([bytes, Buffer.alloc(8)]))).toThrow(/bytes after the last array/);
  });

  it('rejects a broken frame, naming what is wrong', () => {
    const bytes = encodeTileFrame(sampleFrame());
    const at = (patch: (copy: Buffer) => void) => {
      const copy = Buffer.from(bytes);
      patch(copy);
      return copy;
    };
    const arraysAt = Math.ceil((12 + bytes.readUInt32LE(8)) / 8) * 8;
    expectRejected(() => decodeTileFrame(at((copy) => copy.write('XXXX', 0, 'latin1'))), /not a synergy cluster message/);
    expectRejected(() => decodeTileFrame(at((copy) => (copy[4] = 2))), /version 2/);
    expectRejected(() => decodeTileFrame(at((copy) => (copy[6] = 1))), /reserved/);
    expectRejected(() => decodeTileFrame(at((copy) => copy.writeUInt32LE(0xffff_ffff, 8))), /header of 4294967295 bytes/);
    expectRejected(() => decodeTileFrame(at((copy) => copy.writeUInt32LE(bytes.length, 8))), /runs past the end/);
    expectRejected(() => decodeTileFrame(at((copy) => copy.writeUInt32LE(5, arraysAt + 4))), /offsets decrease/); // offsets 0, 5, 2, 3
    expectRejected(() => decodeTileFrame(at((copy) => copy.writeUInt32LE(1, arraysAt))), /offsets start at 1/);
    expectRejected(() => decodeTileFrame(at((copy) => copy.writeUInt32LE(7, arraysAt + 12))), /offsets end at 7/);
    expectRejected(() => decodeTileFrame(at((copy) => (copy[arraysAt + 16 + 12] = 1))), /padding after array unit/);
    expectRejected(() => decodeTileFrame(bytes, bytes.length - 1), /over the \d+ allowed/);
    expectRejected(() => decodeTileFrame(encodeTileEmission(sampleEmission())), /"emission" message, expected "frame"/);
    expectRejected(() => decodeTileFrame('not bytes' as unknown as Buffer), /expected bytes/);
  });

  it('rejects a header of the wrong shape before allocating anything', () => {
    const bytes = encodeTileFrame(sampleFrame());
    const arrays = (header: Record<string, unknown>) => header.arrays as unknown[][];
    const cases: Array<[(header: Record<string, unknown>) => unknown, RegExp]> = [
      [() => [], /not a JSON object/],
      [() => 'frame', /not a JSON object/],
      [(h) => ({ ...h, arrays: undefined }), /no list of arrays/],
      [(h) => void (arrays(h)[1][2] = 2 ** 52), /array unit of 4503599627370496 × 4 bytes runs past the end/],
      [(h) => void (arrays(h)[1][2] = 2 ** 53), /array unit has length 9007199254740992/],
      [(h) => void (arrays(h)[1][2] = 1e300), /array unit has length 1e\+300/],
      [(h) => void (arrays(h)[1][2] = -4), /array unit has length -4/],
      [(h) => void (arrays(h)[1][2] = 2.5), /array unit has length 2.5/],
      [(h) => void (arrays(h)[1][1] = 'f16'), /array unit has type "f16"/],
      [(h) => void (arrays(h)[1][1] = 'i32'), /array unit has the wrong type/],
      [(h) => void (arrays(h)[1][0] = 'offsets'), /array offsets listed twice/],
      [(h) => void (arrays(h)[3] = ['label']), /\[name, type, length\]/],
      [(h) => void (arrays(h)[3][0] = 'labels'), /array label is missing/],
      [(h) => void ((h.fields as Record<string, unknown>).binCount = '3'), /binCount is "3"/],
      [(h) => void ((h.fields as Record<string, unknown>).units = 2), /unit 3 in bin 40, but only 2 units are known/],
      [(h) => void ((h.fields as Record<string, unknown>).modes = 1), /label 1 in bin 42/],
      [(h) => void ((h.fields as Record<string, unknown>).startTime = { $f: 'nan' }), /startTime is not a scalar/],
      [(h) => void ((h.fields as Record<string, unknown>).startTime = [1]), /startTime is not a scalar/],
      [(h) => void (h.extra = 'x'), /extra: expected an object of scalars/],
      [(h) => void (h.extra = { nested: { a: 1 } }), /nested is not a scalar/],
    ];
    for (const [edit, message] of cases) expectRejected(() => decodeTileFrame(withHeader(bytes, edit)), message);
    // A header that is not UTF-8, or not JSON.
    const broken = Buffer.from(bytes);
    broken[12] = 0xff;
    expectRejected(() => decodeTileFrame(broken), /not UTF-8 JSON/);
    broken[12] = 0x7b; // '{' where '{' was: fine again; now break the closing brace
    broken[12 + bytes.readUInt32LE(8) - 1] = 0x20;
    expectRejected(() => decodeTileFrame(broken), /not UTF-8 JSON/);
  });

  it('rejects units that repeat or descend within a bin, and a count of zero', () => {
    const bytes = encodeTileFrame({ ...sampleFrame(), offsets: Uint32Array.of(0, 3, 3, 3), label: Int32Array.of(0, 0, 0), unit: Uint32Array.of(0, 1, 3) });
    const arraysAt = Math.ceil((12 + bytes.readUInt32LE(8)) / 8) * 8;
    const unitAt = arraysAt + 16;
    const countAt = unitAt + 16;
    const patched = (at: number, value: number) => {
      const copy = Buffer.from(bytes);
      copy.writeUInt32LE(value, at);
      return copy;
    };
    expectRejected(() => decodeTileFrame(patched(unitAt + 4, 0)), /do not ascend \(0 then 0\)/);
    expectRejected(() => decodeTileFrame(patched(unitAt + 8, 1)), /do not ascend \(1 then 1\)/);
    expectRejected(() => decodeTileFrame(patched(countAt + 4, 0)), /unit 1 in bin 40 with a count of 0/);
  });

  it('throws only BadDataError on garbled bytes, whatever is flipped', () => {
    const base = encodeTileFrame(sampleFrame(), { a: 1 });
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 4 }), (flips) => {
        const copy = Buffer.from(base);
        for (const { at, value } of flips) copy[at] = value;
        try {
          decodeTileFrame(copy);
        } catch (error) {
          expect(error).toBeInstanceOf(BadDataError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('tile emission codec', () => {
  it('round-trips every emission and its extra scalars bit for bit (−0, −Infinity, NaN included)', () => {
    fc.assert(
      fc.property(tileEmission, extraFields, (emission, extra) => {
        const decoded = decodeTileEmission(encodeTileEmission(emission, extra));
        expectSameBits(decoded.emission, emission);
        expectSameBits(decoded.extra, extra);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a term absent where the pair had none, and -Infinity maxima (a tile without pairs)', () => {
    const empty: TileEmission = { tile: 5, endBin: 10, pairs: [], significance: { available: 2, effective: 2, maxima: Float64Array.of(-Infinity, -Infinity), beyondCounts: Uint32Array.of(0, 0, 0), candidates: new Float64Array(0) } };
    expectSameBits(decodeTileEmission(encodeTileEmission(empty)).emission, empty);
    const decoded = decodeTileEmission(encodeTileEmission(sampleEmission())).emission;
    expect('excess' in decoded.pairs[1]).toBe(false);
    expect(decoded.pairs[0].excess).toBe(0.15);
    expectSameBits(decoded, sampleEmission());
    const plain: TileEmission = { tile: 0, endBin: 0, pairs: [{ i: 0, j: 1, joint: 1, ia: 0, ib: 0, synergy: 1 }] };
    expectSameBits(decodeTileEmission(encodeTileEmission(plain)).emission, plain);
    expect('significance' in decodeTileEmission(encodeTileEmission(plain)).emission).toBe(false);
  });

  it('carries every pair of a tile when groups are on (synergy, and excess where surrogates are)', () => {
    const withAll: TileEmission = { ...sampleEmission(), allPairs: { synergy: Float64Array.of(0.1, -0.2, 0.3), excess: Float64Array.of(0.01, -0.02, 0.03) } };
    expectSameBits(decodeTileEmission(encodeTileEmission(withAll)).emission, withAll);
    const synergyOnly: TileEmission = { tile: 1, endBin: 4, pairs: [], allPairs: { synergy: Float64Array.of(-0, 1) } };
    expectSameBits(decodeTileEmission(encodeTileEmission(synergyOnly)).emission, synergyOnly);
  });

  it('refuses to encode what does not fit its columns', () => {
    const pair = { i: 0, j: 1, joint: 0, ia: 0, ib: 0, synergy: 0 };
    expect(() => encodeTileEmission({ tile: 0, endBin: 0, pairs: [{ ...pair, i: 2 ** 32 }] })).toThrow(RangeError);
    expect(() => encodeTileEmission({ tile: 0, endBin: 0, pairs: [{ ...pair, beyond: 1.5 }] })).toThrow(/beyond is 1.5/);
    expect(() => encodeTileEmission({ tile: 0, endBin: 0, pairs: [{ ...pair, i: 1 }] })).toThrow(/expected i < j/);
    expect(() => encodeTileEmission({ ...sampleEmission(), significance: { ...sampleEmission().significance!, beyondCounts: new Uint32Array(3) } })).toThrow(/3 beyond counts, expected available \+ 1 = 4/);
  });

  it('rejects every truncation, and headers or columns that disagree', () => {
    const bytes = encodeTileEmission(sampleEmission(), { worker: 'w' });
    for (let length = 0; length < bytes.length; length++) expect(() => decodeTileEmission(bytes.subarray(0, length)), `${length} bytes`).toThrow(BadDataError);
    const fields = (edit: (fields: Record<string, unknown>) => void) => withHeader(bytes, (h) => void edit(h.fields as Record<string, unknown>));
    expectRejected(() => decodeTileEmission(fields((f) => (f.pairs = 3))), /array i has 2 elements, expected 3/);
    expectRejected(() => decodeTileEmission(fields((f) => (f.available = 2))), /array maxima has 3 elements, expected 2/);
    expectRejected(() => decodeTileEmission(fields((f) => (f.excess = 'all'))), /array excess has|unexpected array excessPresent/);
    expectRejected(() => decodeTileEmission(fields((f) => (f.excess = 'none'))), /unexpected array excess/);
    expectRejected(() => decodeTileEmission(fields((f) => (f.beyond = 'maybe'))), /beyond is "maybe"/);
    expectRejected(() => decodeTileEmission(fields((f) => (f.significance = false))), /unexpected array maxima/);
    expectRejected(() => decodeTileEmission(fields((f) => (f.significance = 1))), /significance is 1/);
    expectRejected(() => decodeTileEmission(fields((f) => (f.tile = -1))), /tile is -1/);
    expectRejected(() => decodeTileEmission(fields((f) => (f.endBin = { $f: 'Infinity' }))), /endBin is null|endBin is Infinity/);
    expectRejected(() => decodeTileEmission(fields((f) => (f.available = 1))), /array maxima has 3 elements/);
  });

  it('rejects pairs out of order within themselves and counts beyond what was available', () => {
    const emission = sampleEmission();
    const bytes = encodeTileEmission(emission);
    const arraysAt = Math.ceil((12 + bytes.readUInt32LE(8)) / 8) * 8;
    const swapped = Buffer.from(bytes);
    swapped.writeUInt32LE(5, arraysAt); // i[0] = 5 > j[0] = 3
    expectRejected(() => decodeTileEmission(swapped), /pair 0 is \(5, 3\), expected i < j/);
    const tooMany = encodeTileEmission({ ...emission, pairs: [{ ...emission.pairs[0], beyond: 3 }] });
    expect(decodeTileEmission(tooMany).emission.pairs[0].beyond).toBe(3);
    const patched = withHeader(tooMany, (h) => void ((h.fields as Record<string, unknown>).available = 2));
    expect(() => decodeTileEmission(patched)).toThrow(BadDataError);
  });

  it('throws only BadDataError on garbled bytes, whatever is flipped', () => {
    const base = encodeTileEmission(sampleEmission(), { a: 1 });
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 4 }), (flips) => {
        const copy = Buffer.from(base);
        for (const { at, value } of flips) copy[at] = value;
        try {
          decodeTileEmission(copy);
        } catch (error) {
          expect(error).toBeInstanceOf(BadDataError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('control message codec', () => {
  const array = fc.oneof(
    fc.array(anyDouble, { maxLength: 5 }).map((values) => Float64Array.from(values)),
    fc.array(uint32, { maxLength: 5 }).map((values) => Uint32Array.from(values)),
    fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 5 }).map((values) => Int32Array.from(values)),
    fc.uint8Array({ maxLength: 9 }),
  );

  it('round-trips a type, scalars and arrays bit for bit', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), extraFields.filter((fields) => !('type' in fields)), fc.dictionary(fc.string({ minLength: 1 }), array, { maxKeys: 4 }), (type, fields, arrays) => {
        const decoded = decodeControl(encodeControl({ type, fields, arrays }));
        expect(decoded.type).toBe(type);
        expectSameBits(decoded.fields, fields);
        expectSameBits(decoded.arrays, arrays);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a message without a type, and rejects one whose type is gone', () => {
    expect(() => encodeControl({ type: '', fields: {}, arrays: {} })).toThrow(TypeError);
    expect(() => encodeControl({ type: 'stop', fields: { type: 'x' }, arrays: {} })).toThrow(TypeError);
    const bytes = encodeControl({ type: 'stop', fields: {}, arrays: {} });
    expectRejected(() => decodeControl(withHeader(bytes, (h) => void (h.fields = {}))), /type is undefined/);
    expectRejected(() => decodeControl(encodeTileFrame(sampleFrame())), /"frame" message, expected "control"/);
  });
});

describe('JSON documents (the plan)', () => {
  it('keep Infinity, NaN and −0, which JSON alone would lose', () => {
    const plan = { tiles: [{ first: 0, end: 40 }, { first: 40, end: Infinity }], floor: -Infinity, odd: [NaN, -0, 0], name: 'run', on: true, none: null };
    const decoded = decodeDocument(encodeDocument(plan), 'plan');
    expectSameBits(decoded, plan);
  });

  it('round-trips any JSON-shaped value', () => {
    fc.assert(
      fc.property(fc.jsonValue().chain((value) => fc.constant(value)), fc.array(anyDouble), (value, numbers) => {
        const document = { value, numbers };
        expectSameBits(decodeDocument(encodeDocument(document), 'doc'), document);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what has no JSON form, and rejects malformed text with BadDataError', () => {
    expect(() => encodeDocument({ a: undefined })).toThrow(/\$\.a: undefined has no JSON form/);
    expect(() => encodeDocument({ a: [new Float64Array(1)] })).toThrow(/\$\.a\[0\]: \[object Float64Array\]/);
    expect(() => encodeDocument({ $number: 'Infinity' })).toThrow(/cannot be told from a tagged number/);
    expectRejected(() => decodeDocument('{"a":', 'plan'), /^plan: not JSON/);
    expectRejected(() => decodeDocument('{"a":{"$number":"Inf"}}', 'plan'), /\$\.a is a malformed tagged number/);
    expectRejected(() => decodeDocument('{"a":{"$number":"NaN","b":1}}', 'plan'), /malformed tagged number/);
  });
});
