import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSpikeText } from '../../adapters/files/spikeTextReader.ts';
import type { SpikeTextOptions, SpikeTextSource } from '../../adapters/files/spikeTextReader.ts';
import { InputFormatError } from '../../src/errors.ts';
import type { SpikeBatch } from '../../src/stream/events.ts';
import { sharedDir } from '../helpers/shared.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-spike-text-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = join(folder, name);
  writeFileSync(file, content);
  return file;
}

interface Read {
  source: SpikeTextSource;
  batches: SpikeBatch[];
  times: number[];
  units: string[];
}

async function readAll(file: string, options: SpikeTextOptions = {}): Promise<Read> {
  const source = readSpikeText(file, options);
  const batches: SpikeBatch[] = [];
  for await (const batch of source) batches.push(batch);
  const times = batches.flatMap((batch) => Array.from(batch.t));
  const units = batches.flatMap((batch) => Array.from(batch.unit, (index) => batch.unitIds[index]));
  return { source, batches, times, units };
}

/** The error a file gives, checked to be an InputFormatError. */
async function errorOf(file: string, options: SpikeTextOptions = {}): Promise<InputFormatError> {
  try {
    await readAll(file, options);
  } catch (error) {
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as InputFormatError).code).toBe('INPUT_FORMAT');
    return error as InputFormatError;
  }
  throw new Error(`${file} was read without error`);
}

const csvOf = (rows: [string | number, number | string][], header = 'unit,time_s') =>
  `${header}\n${rows.map(([unit, t]) => `${unit},${t}`).join('\n')}\n`;

describe('readSpikeText: each format round-trips', () => {
  const spikes: [string, number][] = [
    ['12', 0],
    ['a-7', 0.25],
    ['12', 4397.1],
    ['003', 1e-5],
    ['31', 6365.14727],
    ['a-7', 123456789.123456],
  ];
  const expectRoundTrip = (read: Read) => {
    expect(read.times).toEqual(spikes.map(([, t]) => t));
    expect(read.units).toEqual(spikes.map(([unit]) => unit));
    expect(read.source.unitIds).toEqual(['12', 'a-7', '003', '31']);
    expect(read.source.summary).toMatchObject({ spikes: 6, units: 4, skipped: 0, ignoredFields: [] });
  };

  it('CSV with a time_s column', async () => {
    const read = await readAll(write('round.csv', csvOf(spikes)));
    expectRoundTrip(read);
    expect(read.source.format).toBe('csv');
    expect(read.source.summary.lines).toBe(7);
  });

  it('TSV with capitalized column names, in any order', async () => {
    const file = write('round.tsv', `Time\tUnit\n${spikes.map(([unit, t]) => `${t}\t${unit}`).join('\n')}\n`);
    expectRoundTrip(await readAll(file));
  });

  it('JSONL with string and number units and each time key', async () => {
    const keys = ['t', 'time', 'time_s', 'timestamp'];
    const lines = spikes.map(([unit, t], i) => {
      const id = /^[1-9]\d*$/.test(unit) ? Number(unit) : unit;
      return JSON.stringify({ unit: id, [keys[i % keys.length]]: t });
    });
    const read = await readAll(write('round.jsonl', `${lines.join('\n')}\n`));
    expectRoundTrip(read);
    expect(read.source.format).toBe('jsonl');
  });

  it('.ndjson is JSONL, and the format option overrides the extension', async () => {
    const jsonl = spikes.map(([unit, t]) => JSON.stringify({ unit, t })).join('\n');
    expectRoundTrip(await readAll(write('round.ndjson', jsonl)));
    expectRoundTrip(await readAll(write('round.txt', jsonl), { format: 'jsonl' }));
  });

  it('the time column is the first of t, time, time_s, timestamp; the others are ignored fields', async () => {
    const read = await readAll(write('two-times.csv', 'timestamp,unit,time\n100,u,1.5\n'));
    expect(read.times).toEqual([1.5]);
    expect(read.source.summary.ignoredFields).toEqual(['timestamp']);
  });

  it('quoted cells may hold the delimiter and quotes', async () => {
    const read = await readAll(write('quoted.csv', 'unit,t\n"a,b",1\n"say ""hi""", "2.5"\n'));
    expect(read.units).toEqual(['a,b', 'say "hi"']);
    expect(read.times).toEqual([1, 2.5]);
  });

  it('a tab-separated .csv is read by its header', async () => {
    const read = await readAll(write('tabs.csv', 'unit\tt\n1\t0.5\n'));
    expect(read.units).toEqual(['1']);
    expect(read.times).toEqual([0.5]);
  });
});

describe('readSpikeText: batches', () => {
  const manySpikes = (n: number) => Array.from({ length: n }, (_, i) => [`u${i % 7}`, i / 1000] as [string, number]);

  for (const [count, expected] of [
    [3, [3]],
    [4, [4]],
    [5, [4, 1]],
    [8, [4, 4]],
    [9, [4, 4, 1]],
  ] as const) {
    it(`${count} spikes with batchSize 4 come in batches of ${expected.join(', ')}`, async () => {
      const spikes = manySpikes(count);
      const read = await readAll(write(`batch-${count}.csv`, csvOf(spikes)), { batchSize: 4 });
      expect(read.batches.map((batch) => batch.t.length)).toEqual(expected);
      for (const batch of read.batches) {
        expect(batch.kind).toBe('spikes');
        expect(batch.unit.length).toBe(batch.t.length);
        // Sized exactly: no hidden tail in the buffer.
        expect(batch.t.buffer.byteLength).toBe(batch.t.length * 8);
        expect(batch.unit.buffer.byteLength).toBe(batch.unit.length * 4);
      }
      expect(new Set(read.batches.map((batch) => batch.t.buffer)).size).toBe(read.batches.length);
      expect(read.times).toEqual(spikes.map(([, t]) => t));
      expect(read.units).toEqual(spikes.map(([unit]) => unit));
    });
  }

  for (const [count, expected] of [
    [8192, [8192]],
    [8193, [8192, 1]],
  ] as const) {
    it(`${count} spikes with the default batch size come in batches of ${expected.join(', ')}`, async () => {
      const spikes = manySpikes(count);
      const read = await readAll(write(`default-batch-${count}.csv`, csvOf(spikes)));
      expect(read.batches.map((batch) => batch.t.length)).toEqual(expected);
      expect(read.times).toEqual(spikes.map(([, t]) => t));
      expect(read.units).toEqual(spikes.map(([unit]) => unit));
      expect(read.source.summary).toMatchObject({ spikes: count, units: 7 });
    });
  }

  it('a batch already yielded is not overwritten by later ones', async () => {
    const source = readSpikeText(write('keep.csv', csvOf(manySpikes(10))), { batchSize: 3 });
    const kept: SpikeBatch[] = [];
    const copies: number[][] = [];
    for await (const batch of source) {
      kept.push(batch);
      copies.push(Array.from(batch.t));
    }
    expect(kept.map((batch) => Array.from(batch.t))).toEqual(copies);
  });

  it('a shared unitIds table grows across files and keeps earlier indices', async () => {
    const unitIds: string[] = [];
    const first = await readAll(write('shared-1.csv', csvOf([['a', 1], ['b', 2]])), { unitIds });
    const second = await readAll(write('shared-2.csv', csvOf([['c', 1], ['a', 2]])), { unitIds });
    expect(unitIds).toEqual(['a', 'b', 'c']);
    expect(first.source.unitIds).toBe(unitIds);
    expect(Array.from(second.batches[0].unit)).toEqual([2, 0]);
    expect(second.source.summary.units).toBe(2);
  });

  it('rejects a batch size that is not a positive whole number', () => {
    const file = write('any.csv', csvOf([['a', 1]]));
    for (const batchSize of [0, -1, 2.5, Number.NaN]) expect(() => readSpikeText(file, { batchSize })).toThrow(/batch size/);
  });

  it('can be iterated once; breaking out early is fine', async () => {
    const source = readSpikeText(write('once.csv', csvOf(manySpikes(20))), { batchSize: 2 });
    for await (const batch of source) {
      expect(batch.t.length).toBe(2);
      break;
    }
    expect(source.summary.spikes).toBeLessThan(20);
    expect(() => source[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});

describe('readSpikeText: line endings, BOM, blank lines', () => {
  it('reads CRLF, a byte order mark, blank lines and a last line without a break', async () => {
    const file = write('crlf.csv', '\uFEFFunit,time_s\r\n\r\n1,0.5\r\n   \r\n2,1.5\r\n\r\n3,2.5');
    const read = await readAll(file);
    expect(read.units).toEqual(['1', '2', '3']);
    expect(read.times).toEqual([0.5, 1.5, 2.5]);
    expect(read.source.summary.lines).toBe(7);
  });

  it('reads JSONL with CRLF, a byte order mark and blank lines', async () => {
    const read = await readAll(write('crlf.jsonl', '\uFEFF{"unit":"x","t":1}\r\n\r\n{"unit":"y","t":2}\r\n'));
    expect(read.units).toEqual(['x', 'y']);
    expect(read.times).toEqual([1, 2]);
  });

  it('line numbers in errors count blank lines and CRLF lines', async () => {
    const error = await errorOf(write('crlf-bad.csv', 'unit,t\r\n\r\n1,0.5\r\n\r\n2,oops\r\n'));
    expect(error.message).toContain('line 5');
  });
});

describe('readSpikeText: extra columns and keys', () => {
  it('lists extra CSV columns once, including an unnamed index column', async () => {
    const read = await readAll(write('extra.csv', ',unit,time_s,amplitude\n0,3,1.0,55\n1,4,2.0,60\n'));
    expect(read.units).toEqual(['3', '4']);
    expect(read.source.summary.ignoredFields).toEqual(['(unnamed column 1)', 'amplitude']);
  });

  it('lists extra JSONL keys once, in order of first appearance', async () => {
    const read = await readAll(
      write('extra.jsonl', '{"unit":1,"t":1,"amp":3}\n{"unit":2,"t":2,"amp":4,"channel":9}\n{"unit":2,"t":3}\n'),
    );
    expect(read.times).toEqual([1, 2, 3]);
    expect(read.source.summary.ignoredFields).toEqual(['amp', 'channel']);
  });
});

describe('readSpikeText: bad input names file, line and column', () => {
  const csvCases: [string, string, number, string, RegExp][] = [
    ['too few cells', 'unit,time_s\n1,0.5\n2\n', 3, 'time_s', /1 cells, but the header names 2/],
    ['too many cells', 'unit,time_s\n1,0.5\n2,1.0,7\n', 3, '3', /3 cells, but the header names 2/],
    ['time NaN', 'unit,time_s\n1,NaN\n', 2, 'time_s', /'NaN' is not a number/],
    ['negative time', 'unit,time_s\n1,0.5\n1,-0.25\n', 3, 'time_s', /is negative/],
    ['empty time', 'unit,time_s\n1,\n', 2, 'time_s', /is empty/],
    ['text time', 'unit,time_s\n1,abc\n', 2, 'time_s', /'abc' is not a number/],
    ['infinite time', 'unit,time_s\n1,1e400\n', 2, 'time_s', /is not finite/],
    ['time 1e300', 'unit,time_s\n1,0.5\n1,1e300\n', 3, 'time_s', /'1e300' is beyond 2\^32 s .*expected a number of seconds from 0 to 2\^32 \(4294967296\)/],
    ['time just beyond 2^32 s', 'unit,time_s\n1,4294967296.5\n', 2, 'time_s', /is beyond 2\^32 s/],
    ['Infinity', 'unit,time_s\n1,Infinity\n', 2, 'time_s', /not a number/],
    ['hexadecimal time', 'unit,time_s\n1,0x10\n', 2, 'time_s', /not a number/],
    ['empty unit', 'unit,time_s\n1,1\n ,2\n', 3, 'unit', /expected a unit id/],
  ];
  for (const [name, content, line, column, reason] of csvCases) {
    it(`CSV: ${name}`, async () => {
      const error = await errorOf(write(`bad-${name.replace(/\W+/g, '-')}.csv`, content));
      expect(error.message).toContain(`bad-${name.replace(/\W+/g, '-')}.csv`);
      expect(error.message).toContain(`line ${line}`);
      expect(error.message).toContain(`column ${column}`);
      expect(error.message).toMatch(reason);
      expect(error.line).toBe(line);
      expect(error.column).toBe(column);
    });
  }

  it('CSV: an unclosed quote names the line', async () => {
    const error = await errorOf(write('bad-quote.csv', 'unit,t\n"a,1\n'));
    expect(error.message).toMatch(/bad-quote\.csv, line 2: .*unclosed quote/);
  });

  const jsonCases: [string, string, number, string | undefined, RegExp][] = [
    ['bad JSON', '{"unit":1,"t":1}\n{"unit":2,"t":\n', 2, undefined, /not valid JSON/],
    ['an array', '[1, 2]\n', 1, undefined, /an array, expected one JSON object/],
    ['missing unit', '{"t":1}\n', 1, 'unit', /no key 'unit'/],
    ['missing time', '{"unit":1,"at":1}\n', 1, 't|time|time_s|timestamp', /no key 't', 'time', 'time_s' or 'timestamp'/],
    ['text time', '{"unit":1,"t":"abc"}\n', 1, 't', /'abc' is not a number/],
    ['negative time', '{"unit":1,"time":-1}\n', 1, 'time', /is negative/],
    ['time 1e300', '{"unit":1,"t":0.5}\n{"unit":1,"t":1e300}\n', 2, 't', /1e\+300 is beyond 2\^32 s/],
    ['time 1e300 as text', '{"unit":1,"t":"1e300"}\n', 1, 't', /'1e300' is beyond 2\^32 s/],
    ['null time', '{"unit":1,"t":null}\n', 1, 't', /null is not a number/],
    ['null unit', '{"unit":null,"t":1}\n', 1, 'unit', /is null; expected a unit id/],
    ['empty unit', '{"unit":"","t":1}\n', 1, 'unit', /is empty; expected a unit id/],
    ['boolean unit', '{"unit":true,"t":1}\n', 1, 'unit', /is true; expected a unit id/],
  ];
  for (const [name, content, line, key, reason] of jsonCases) {
    it(`JSONL: ${name}`, async () => {
      const fileName = `bad-${name.replace(/\W+/g, '-')}.jsonl`;
      const error = await errorOf(write(fileName, content));
      expect(error.message).toContain(`${fileName}, line ${line}`);
      if (key !== undefined) expect(error.message).toContain(`column ${key}`);
      expect(error.message).toMatch(reason);
    });
  }

  it('a header without a unit or time column names the columns found and those expected', async () => {
    const error = await errorOf(write('no-unit.csv', 'neuron_name,ts,amp\nx,1,2\n'));
    expect(error.message).toContain('no-unit.csv, line 1');
    expect(error.message).toContain(`'neuron_name', 'ts' and 'amp'`);
    expect(error.message).toContain(`a unit column ('unit', 'unit_id', 'cluster', 'cluster_id' or 'neuron')`);
    expect(error.message).toContain(`a time column in seconds ('t', 'time', 'time_s' or 'timestamp')`);
  });

  it('a header naming the unit column twice is an error', async () => {
    const error = await errorOf(write('twice.csv', 'unit,t,Unit\n1,1,2\n'));
    expect(error.message).toMatch(/twice\.csv, line 1: column 'unit' appears twice/);
  });

  it('a headerless file says the first line must be the header', async () => {
    const error = await errorOf(write('headerless.csv', '14,4397.0023\n30,4397.004\n'));
    expect(error.message).toMatch(/'14' and '4397.0023'.*first line must be the header/);
  });

  it('empty files, blank files and header-only files are clear errors', async () => {
    expect((await errorOf(write('empty.csv', ''))).message).toMatch(/empty\.csv: is empty; expected a header/);
    expect((await errorOf(write('blank.csv', '\n  \r\n'))).message).toMatch(/blank\.csv: is empty/);
    expect((await errorOf(write('empty.jsonl', ''))).message).toMatch(/empty\.jsonl: is empty; expected one JSON object per line/);
    expect((await errorOf(write('header-only.csv', 'unit,time_s\n'))).message).toMatch(/header-only\.csv: has a header but no spike rows/);
  });

  it('a missing file, a folder and an unknown extension are clear errors', async () => {
    expect((await errorOf(join(folder, 'missing.csv'))).message).toMatch(/missing\.csv: no such file/);
    const sub = join(folder, 'a-folder.csv');
    mkdirSync(sub);
    expect((await errorOf(sub)).message).toMatch(/a-folder\.csv: is a folder/);
    expect(() => readSpikeText(join(folder, 'spikes.dat'))).toThrow(/spikes\.dat: cannot tell the format from the extension '\.dat'/);
  });
});

describe('readSpikeText: skipBad', () => {
  it('counts bad rows, keeps the first five, and yields the rest', async () => {
    const lines = ['unit,time_s', '1,0.1', '2,abc', '3', '4,-1', ',0.5', '5,0.6', '6,NaN', '7,0.8,9', '8,0.9'];
    const read = await readAll(write('skip.csv', `${lines.join('\n')}\n`), { skipBad: true, batchSize: 2 });
    expect(read.units).toEqual(['1', '5', '8']);
    expect(read.times).toEqual([0.1, 0.6, 0.9]);
    const summary = read.source.summary;
    expect(summary.skipped).toBe(6);
    expect(summary.skippedExamples.map((example) => example.line)).toEqual([3, 4, 5, 6, 8]);
    expect(summary.skippedExamples[0]).toMatchObject({ line: 3, column: 'time_s' });
    expect(summary.skippedExamples[0].reason).toMatch(/'abc' is not a number/);
    expect(summary).toMatchObject({ spikes: 3, units: 3, lines: 10 });
  });

  it('with skipBad counts times that are NaN, negative or beyond 2^32 s; 2^32 s itself is a valid time', async () => {
    const lines = ['unit,t', 'a,0.1', 'a,1e300', 'b,NaN', 'b,-1', 'a,4294967296', 'b,0.2'];
    const read = await readAll(write('skip-times.csv', `${lines.join('\n')}\n`), { skipBad: true });
    expect(read.times).toEqual([0.1, 2 ** 32, 0.2]);
    expect(read.source.summary.skippedExamples.map((example) => example.line)).toEqual([3, 4, 5]);
  });

  it('each batch names the line of each spike (blank and skipped lines counted)', async () => {
    const read = await readAll(write('lines.csv', 'unit,t\na,0.1\n\nb,0.2\nb,x\na,0.3\n'), { skipBad: true, batchSize: 2 });
    expect(read.batches.map((batch) => Array.from((batch as { position?: Float64Array }).position ?? []))).toEqual([[2, 4], [6]]);
  });

  it('skips bad JSONL records', async () => {
    const read = await readAll(write('skip.jsonl', '{"unit":1,"t":1}\nnot json\n{"t":2}\n{"unit":2,"t":3}\n'), { skipBad: true });
    expect(read.units).toEqual(['1', '2']);
    expect(read.source.summary.skipped).toBe(2);
    expect(read.source.summary.skippedExamples[1]).toMatchObject({ line: 3, column: 'unit' });
  });

  it('still fails when every row is bad', async () => {
    const error = await errorOf(write('all-bad.csv', 'unit,t\n1,x\n2,y\n'), { skipBad: true });
    expect(error.message).toMatch(/all-bad\.csv: has no valid spike row: all 2 rows were malformed.*line 2, column t/);
  });

  it('header errors are not skipped', async () => {
    const error = await errorOf(write('skip-header.csv', 'who,when\n1,2\n'), { skipBad: true });
    expect(error.message).toContain('line 1');
  });
});

describe('readSpikeText: order and time range', () => {
  it('counts spikes that go back in time and the largest step back', async () => {
    const read = await readAll(write('unsorted.csv', csvOf([['a', 1], ['a', 3], ['b', 2], ['a', 5], ['b', 0.5], ['a', 5]])));
    expect(read.times).toEqual([1, 3, 2, 5, 0.5, 5]);
    expect(read.source.summary).toMatchObject({
      outOfOrder: 2,
      maxBackstepSeconds: 4.5,
      firstTime: 1,
      lastTime: 5,
      minTime: 0.5,
      maxTime: 5,
    });
  });

  it('a sorted file has no backsteps (equal times are in order)', async () => {
    const read = await readAll(write('sorted.csv', csvOf([['a', 1], ['b', 1], ['a', 2]])));
    expect(read.source.summary).toMatchObject({ outOfOrder: 0, maxBackstepSeconds: 0, firstTime: 1, lastTime: 2 });
  });
});

describe('readSpikeText: a large file', () => {
  it('streams 1,000,000 spikes with bounded memory in a few seconds', async () => {
    const file = join(folder, 'large.csv');
    const out = createWriteStream(file);
    out.write('unit,time_s,note\n');
    let chunk: string[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      chunk.push(`u${i % 97},${(i * 0.001).toFixed(3)},a column the reader ignores`);
      if (chunk.length === 10_000) {
        if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
        chunk = [];
      }
    }
    out.end();
    await once(out, 'finish');
    const fileBytes = statSync(file).size;
    expect(fileBytes).toBeGreaterThan(30e6);

    (globalThis as { gc?: () => void }).gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    // CPU time, not wall time: on a loaded machine other processes' time is not the reader's.
    const started = process.cpuUsage();
    const source = readSpikeText(file);
    let spikes = 0;
    let lastTime = -1;
    let ordered = true;
    for await (const batch of source) {
      spikes += batch.t.length;
      if (batch.t[0] < lastTime) ordered = false;
      lastTime = batch.t[batch.t.length - 1];
      const heap = process.memoryUsage().heapUsed;
      if (heap > heapPeak) heapPeak = heap;
    }
    const cpu = process.cpuUsage(started);
    const seconds = (cpu.user + cpu.system) / 1e6;
    const heapGrowth = heapPeak - heapBefore;

    expect(spikes).toBe(1_000_000);
    expect(ordered).toBe(true);
    expect(source.summary).toMatchObject({ spikes: 1_000_000, units: 97, lines: 1_000_001, outOfOrder: 0, lastTime: 999.999 });
    expect(source.summary.bytesRead).toBe(fileBytes);
    expect(heapGrowth, `heap grew by ${(heapGrowth / 1e6).toFixed(1)} MB for a ${(fileBytes / 1e6).toFixed(0)} MB file`).toBeLessThan(
      Math.min(50e6, fileBytes / 2),
    );
    expect(seconds, `${seconds.toFixed(1)} s of CPU for 1,000,000 spikes`).toBeLessThan(10);
  });
});

const realFolder = resolve(sharedDir, 'data', 'real', 'linear-track-place-cells');

describe.skipIf(!existsSync(join(realFolder, 'spikes.csv')))('readSpikeText: real recording (linear track)', () => {
  it('reads spikes.csv: 28,829 spikes of 31 units over 4397–6366 s, sorted', async () => {
    const read = await readAll(join(realFolder, 'spikes.csv'));
    const summary = read.source.summary;
    expect(summary.spikes).toBe(28_829);
    expect(summary.units).toBe(31);
    expect(summary.skipped).toBe(0);
    expect(summary.ignoredFields).toEqual([]);
    expect(summary.outOfOrder).toBe(0);
    expect(summary.firstTime).toBeCloseTo(4397.0023, 6);
    expect(summary.lastTime).toBeGreaterThan(6365);
    expect(summary.lastTime).toBeLessThan(6366);
    expect(read.units[0]).toBe('14');
    expect(read.batches.map((batch) => batch.t.length)).toEqual([8192, 8192, 8192, 28_829 - 3 * 8192]);
  });
});
