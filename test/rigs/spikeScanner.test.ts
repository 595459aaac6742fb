import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBroadcasterMessage } from '../../adapters/openephys-live/eventBroadcasterMessages.ts';
import { SpikeScanner } from '../../adapters/openephys-live/spikeScanner.ts';
import { spikeFields } from '../helpers/broadcasterFixtures.ts';

const TYPE_SPIKE = Buffer.from([1, 0]);

/**
 * The fast path must never disagree with the full parse: whenever the
 * scanner takes a payload, parseBroadcasterMessage reads the same spike (or
 * the same unsorted spike) from it. Declining is always allowed.
 */
function expectAgreement(payload: Buffer, unsorted: 'drop' | 'channel'): boolean {
  const scanner = new SpikeScanner(unsorted);
  // The payload inside a larger buffer, as the receiver's pipe hands it on.
  const padded = Buffer.concat([Buffer.from('xx'), payload, Buffer.from('yy')]);
  const taken = scanner.scanPayload(padded, 2, 2 + payload.length);
  const record = parseBroadcasterMessage([TYPE_SPIKE, payload], { unsorted });
  if (!taken) return false;
  if (scanner.unsorted) {
    expect(record).toEqual({ kind: 'unsorted', stream: scanner.stream!.text, sampleNumber: scanner.sampleNumber, sampleRate: scanner.sampleRate, electrode: scanner.electrode!.text });
  } else {
    expect(record).toEqual({
      kind: 'spike',
      stream: scanner.stream!.text,
      sampleNumber: scanner.sampleNumber,
      sampleRate: scanner.sampleRate,
      electrode: scanner.electrode!.text,
      sortedId: scanner.sortedId,
      unitId: `${scanner.electrode!.text}:${scanner.sortedId}`,
    });
  }
  return true;
}

/** Values the fields may take: valid ones, edge cases and wrong kinds. */
const anyValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0, 1, 65535, 65536, -1, 2 ** 53 - 1, 2 ** 53, 1e15, 1e16, -0, 0.5, 30000.0, 1.5e4, 3e-3) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 70_000 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.constantFrom('spike', 'ttl', 'Electrode 1', 'é', 'a"b', 'a\\b', 'tab\there', '', 'example_data') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null, { nested: 1 }, [1, 2]) },
);

const fieldNames = ['event_type', 'stream', 'source_node', 'electrode', 'num_channels', 'sample_rate', 'sample_number', 'sorted_id', 'amp1', 'amp2'] as const;

/** A spike as the plugin writes it, with some fields replaced, dropped or repeated, in JUCE's layout or compact JSON. */
const payloadArbitrary = fc
  .record({
    replace: fc.dictionary(fc.constantFrom(...fieldNames), anyValue, { maxKeys: 2 }),
    drop: fc.oneof({ weight: 3, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.subarray([...fieldNames], { maxLength: 2 }) }),
    repeat: fc.option(fc.constantFrom(...fieldNames)),
    juce: fc.boolean(),
    numberText: fc.option(fc.constantFrom('30000.0', '3e4', '30000.000', '-0', '030000', '3.0E+4', '1.', '+1')),
  })
  .map(({ replace, drop, repeat, juce, numberText }) => {
    const fields: Record<string, unknown> = { ...spikeFields, ...replace };
    for (const name of drop) delete fields[name];
    const entries = Object.entries(fields).map(([name, value]) => [name, name === 'sample_rate' && numberText !== null ? numberText : JSON.stringify(value)] as const);
    if (repeat !== null && repeat in fields) entries.push([repeat, JSON.stringify(fields[repeat])]);
    const separator = juce ? ',\r\n  ' : ',';
    const body = entries.map(([name, text]) => `"${name}":${juce ? ' ' : ''}${text}`).join(separator);
    return Buffer.from(juce ? `{\r\n  ${body}\r\n}` : `{${body}}`);
  });

describe('the spike scanner (the fast path) agrees with the full parse', () => {
  it('takes the plugin\'s spikes, and reads them exactly as parseBroadcasterMessage does', () => {
    const plugin = Buffer.from('{\r\n  "event_type": "spike",\r\n  "stream": "example_data",\r\n  "source_node": 104,\r\n  "electrode": "Electrode 1",\r\n  "num_channels": 4,\r\n  "sample_rate": 30000.0,\r\n  "sample_number": 193722,\r\n  "sorted_id": 2,\r\n  "amp1": 210.5\r\n}');
    expect(expectAgreement(plugin, 'drop')).toBe(true);
    const unsorted = Buffer.from(plugin.toString().replace('"sorted_id": 2', '"sorted_id": 0'));
    expect(expectAgreement(unsorted, 'drop')).toBe(true);
    expect(expectAgreement(unsorted, 'channel')).toBe(true);
  });

  it('on spikes with fields replaced, dropped or repeated: whatever it takes, it reads as the full parse does (fast-check)', () => {
    let taken = 0;
    fc.assert(
      fc.property(payloadArbitrary, fc.constantFrom('drop' as const, 'channel' as const), (payload, unsorted) => {
        if (expectAgreement(payload, unsorted)) taken++;
      }),
      { numRuns: 3000 },
    );
    // The generator keeps many payloads valid: the fast path is exercised, not only its refusals.
    expect(taken).toBeGreaterThan(100);
  });

  it('on the plugin\'s spike with bytes changed anywhere: whatever it takes, it reads as the full parse does (fast-check)', () => {
    const plugin = Buffer.from('{\r\n  "event_type": "spike",\r\n  "stream": "example_data",\r\n  "source_node": 104,\r\n  "electrode": "Electrode 1",\r\n  "num_channels": 4,\r\n  "sample_rate": 30000.0,\r\n  "sample_number": 193722,\r\n  "sorted_id": 2,\r\n  "amp1": 210.5\r\n}');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(plugin.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (changes) => {
        const payload = Buffer.from(plugin);
        for (const [at, byte] of changes) payload[at] = byte;
        expectAgreement(payload, 'drop');
      }),
      { numRuns: 3000 },
    );
  });
});
