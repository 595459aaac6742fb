import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { EventBroadcasterSource } from '../../adapters/openephys-live/eventBroadcasterSource.ts';
import { MAX_MESSAGE_BYTES, RECEIVER, ReceiverRecordDecoder } from '../../adapters/openephys-live/zmqReceiverProcess.ts';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import type { SourceEvent } from '../../src/stream/events.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

/** The receiver's records as zmqReceiver.mjs documents them, written here independently. */
function messageRecord(frames: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from(new Uint16Array([frames.length]).buffer), ...frames.flatMap((frame) => [u32(frame.length), frame])]);
  return Buffer.concat([Buffer.from([1]), u32(body.length), body]);
}
function eventRecord(json: string): Buffer {
  const body = Buffer.from(json);
  return Buffer.concat([Buffer.from([2]), u32(body.length), body]);
}
function oversizedRecord(bytes: number, frames: number): Buffer {
  const body = Buffer.alloc(6);
  body.writeUInt32LE(bytes, 0);
  body.writeUInt16LE(frames, 4);
  return Buffer.concat([Buffer.from([3]), u32(6), body]);
}
function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
}

type Decoded = { message: string[] } | { event: string } | { oversized: [number, number] };

/** Decodes `chunks` in order; what was reported, and whether the decoder stopped out of step. */
function decode(chunks: Buffer[]): { records: Decoded[]; outOfStep: string | undefined; chunkEnds: number } {
  const records: Decoded[] = [];
  let outOfStep: string | undefined;
  let chunkEnds = 0;
  const decoder = new ReceiverRecordDecoder({
    message: (bytes, at, frameCount) => {
      const frames: string[] = [];
      for (let i = 0; i < frameCount; i++) {
        const length = bytes.readUInt32LE(at);
        frames.push(bytes.toString('latin1', at + 4, at + 4 + length));
        at += 4 + length;
      }
      records.push({ message: frames });
    },
    oversized: (bytes, frames) => records.push({ oversized: [bytes, frames] }),
    event: (json) => records.push({ event: json }),
    outOfStep: (description) => (outOfStep = description),
    chunkEnd: () => chunkEnds++,
  });
  for (const chunk of chunks) decoder.push(chunk);
  return { records, outOfStep, chunkEnds };
}

const recordArbitrary: fc.Arbitrary<{ bytes: Buffer; decoded: Decoded }> = fc.oneof(
  fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }).map((frames) => {
    const buffers = frames.map((frame) => Buffer.from(frame));
    return { bytes: messageRecord(buffers), decoded: { message: buffers.map((frame) => frame.toString('latin1')) } };
  }),
  fc.constantFrom('handshake', 'disconnect', 'close').map((event) => {
    const json = JSON.stringify({ event });
    return { bytes: eventRecord(json), decoded: { event: json } };
  }),
  fc.tuple(fc.integer({ min: MAX_MESSAGE_BYTES + 1, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 65535 })).map(([bytes, frames]) => ({
    bytes: oversizedRecord(bytes, frames),
    decoded: { oversized: [bytes, frames] as [number, number] },
  })),
);

describe("the receiver process's records, decoded from a pipe that cuts them anywhere", () => {
  it('gives the same records whatever the chunks (fast-check), every one once', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), (records, cuts) => {
        const stream = Buffer.concat(records.map((record) => record.bytes));
        const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const point of [...points, stream.length]) {
          chunks.push(stream.subarray(from, point));
          from = point;
        }
        const result = decode(chunks);
        expect(result.outOfStep).toBeUndefined();
        expect(result.records).toEqual(records.map((record) => record.decoded));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same records split at every offset, and byte by byte', () => {
    const records = [
      messageRecord([Buffer.from([1, 0]), Buffer.from('{"event_type": "spike"}')]),
      eventRecord('{"event":"handshake"}'),
      oversizedRecord(5_000_000, 2),
      messageRecord([]),
      messageRecord([Buffer.alloc(0), Buffer.from('x')]),
    ];
    const stream = Buffer.concat(records);
    const whole = decode([stream]).records;
    expect(whole).toHaveLength(records.length);
    for (let cut = 0; cut <= stream.length; cut++) expect(decode([stream.subarray(0, cut), stream.subarray(cut)]).records).toEqual(whole);
    expect(decode([...stream].map((byte) => Buffer.from([byte]))).records).toEqual(whole);
  });

  it('stops, saying why, on bytes that are not records: an unknown kind, a length no record has, a message without its frame count', () => {
    const good = eventRecord('{"event":"handshake"}');
    expect(decode([Buffer.concat([good, Buffer.from([9, 0, 0, 0, 0]), good])])).toMatchObject({ records: [{ event: '{"event":"handshake"}' }], outOfStep: 'a record of unknown kind 9' });
    expect(decode([Buffer.from([1, 0xff, 0xff, 0xff, 0x7f])]).outOfStep).toMatch(/a record of 2147483647 bytes/);
    expect(decode([Buffer.from([1, 1, 0, 0, 0, 7])]).outOfStep).toBe('a message record without its frame count');
    expect(decode([Buffer.from([3, 2, 0, 0, 0, 7, 7])]).outOfStep).toBe('an oversized-message record of 2 bytes');
  });
});

/** A spike message as the plugin writes it (JUCE JSON, CRLF). */
function spikeMessage(sampleNumber: number, electrode = 'Electrode 1', sortedId = 1): Buffer[] {
  const json = `{\r\n  "event_type": "spike",\r\n  "stream": "example_data",\r\n  "source_node": 104,\r\n  "electrode": "${electrode}",\r\n  "num_channels": 4,\r\n  "sample_rate": 30000.0,\r\n  "sample_number": ${sampleNumber},\r\n  "sorted_id": ${sortedId},\r\n  "amp1": 52.0,\r\n  "amp2": 31.0,\r\n  "amp3": 12.0,\r\n  "amp4": 7.0\r\n}`;
  return [Buffer.from([1, 0]), Buffer.from(json)];
}

/** An XPUB socket on 127.0.0.1 and a source on it, with its events and alerts kept. */
async function publisherAndSource(sendHighWaterMark = 1000) {
  const publisher = new zmq.XPublisher({ linger: 0, sendHighWaterMark });
  await publisher.bind('tcp://127.0.0.1:*');
  let subscriptions = 0;
  void (async () => {
    for await (const [message] of publisher) if (message[0] === 1) subscriptions++;
  })();
  const statuses: string[] = [];
  const source = new EventBroadcasterSource({ url: publisher.lastEndpoint!, reconnect: { initialMs: 20, maxMs: 100 }, onStatus: (line) => statuses.push(line) });
  const events: SourceEvent[] = [];
  const alerts: AlertEvent[] = [];
  source.alerts.subscribe((alert) => alerts.push(alert));
  source.events.subscribe((event) => events.push(event));
  const spikeTimes = () => events.flatMap((event) => (event.kind === 'spikes' ? [...event.t] : []));
  return { publisher, source, events, alerts, statuses, spikeTimes, subscriptions: () => subscriptions };
}

describe('the receiver process under the Event Broadcaster source (ZeroMQ on 127.0.0.1)', () => {
  it('the receiver process aborting is a lost connection, not a crash: source-lost with the signal, a new receiver, data again', async () => {
    const { publisher, source, events, alerts, statuses, spikeTimes, subscriptions } = await publisherAndSource();
    source.start();
    await waitUntil(() => subscriptions() === 1, 'the subscription', 20_000);
    await publisher.send(spikeMessage(30_000));
    await waitUntil(() => spikeTimes().length === 1, 'the first spike', 20_000);
    const first = source.receiverPid!;
    expect(first).toBeGreaterThan(0);
    process.kill(first, 'SIGABRT');
    await waitUntil(() => alerts.some((alert) => alert.kind === 'source-lost' && alert.state === 'cleared'), 'the source back', 20_000);
    const lost = alerts.find((alert) => alert.kind === 'source-lost' && alert.state === 'raised')!;
    expect(lost.message).toMatch(/the receiver process ended \(signal SIGABRT\); connecting again/);
    expect(statuses.some((line) => /receiver process ended \(signal SIGABRT\)/.test(line))).toBe(true);
    expect(source.receiverPid).not.toBe(first);
    // The new receiver subscribes again; what is sent now arrives, after a gap from the last time before the loss.
    await waitUntil(() => subscriptions() === 2, 'the second subscription', 20_000);
    await publisher.send(spikeMessage(90_000));
    await waitUntil(() => spikeTimes().length === 2, 'the spike after the return', 20_000);
    expect(spikeTimes()).toEqual([1, 3]);
    expect(events.filter((event) => event.kind === 'gap')).toEqual([
      { kind: 'gap', start: 1, end: Infinity },
      { kind: 'gap', start: 1, end: 3 },
    ]);
    source.close();
    publisher.close();
  }, 60_000);

  it('an analyzer that stalls loses nothing: the receiver waits for the pipe to drain, and every spike arrives in order', async () => {
    // 30,000 messages are 10 MB: far more than the pipe (64 KiB) holds while this process stalls.
    const count = 30_000;
    const { publisher, source, events, spikeTimes, subscriptions } = await publisherAndSource(count + 1);
    let stalled = false;
    source.events.subscribe((event) => {
      if (event.kind !== 'spikes' || stalled) return;
      // The first batch stalls this process for 1.5 s, while the receiver reads on: the pipe fills.
      stalled = true;
      const until = Date.now() + 1500;
      while (Date.now() < until);
    });
    source.start();
    await waitUntil(() => subscriptions() === 1, 'the subscription', 20_000);
    // All sent at once (each send resolves at once: the queue is long enough), read while this process stalls.
    for (let i = 0; i < count; i++) await publisher.send(spikeMessage(i * 6));
    await waitUntil(() => spikeTimes().length >= count, `${count} spikes`, 60_000);
    const times = spikeTimes();
    expect(times).toHaveLength(count);
    for (let i = 0; i < count; i++) if (times[i] !== (i * 6) / 30_000) expect.fail(`spike ${i} at ${times[i]}, expected ${(i * 6) / 30_000}`);
    expect(events.filter((event) => event.kind === 'spikes').length).toBeGreaterThan(1);
    expect(source.counters.spikes).toBe(count);
    source.close();
    publisher.close();
  }, 120_000);

  it('the receiver program holds back while its output pipe is full, then writes everything in order, and goes on after', async () => {
    const publisher = new zmq.XPublisher({ linger: 0, sendHighWaterMark: 100_000 });
    await publisher.bind('tcp://127.0.0.1:*');
    let subscribed = false;
    void (async () => {
      for await (const [message] of publisher) if (message[0] === 1) subscribed = true;
    })();
    const child = spawn(process.execPath, [RECEIVER, publisher.lastEndpoint!], { stdio: ['pipe', 'pipe', 'inherit'] });
    const sampleNumbers: number[] = [];
    const events: string[] = [];
    const decoder = new ReceiverRecordDecoder({
      message: (bytes, at, frameCount) => {
        expect(frameCount).toBe(2);
        const payload = bytes.toString('latin1', at + 10, at + 10 + bytes.readUInt32LE(at + 6));
        sampleNumbers.push(Number(/"sample_number": (\d+)/.exec(payload)![1]));
      },
      oversized: () => expect.fail('no message is oversized'),
      event: (json) => events.push(json),
      outOfStep: (description) => expect.fail(description),
      chunkEnd: () => {},
    });
    try {
      // Not read yet: the pipe fills. Messages go one at a time, so the receiver writes at the end of each queue it drains.
      await waitUntil(() => subscribed, 'the subscription', 20_000);
      const first = 3000;
      for (let i = 0; i < first; i++) {
        await publisher.send(spikeMessage(i));
        if (i % 10 === 0) await sleep(0);
      }
      await sleep(500);
      // Now read: everything sent, in order; then more, which must come through too (the receiver is not stuck waiting for a drain that passed).
      child.stdout.on('data', (chunk: Buffer) => decoder.push(chunk));
      await waitUntil(() => sampleNumbers.length === first, `${first} messages`, 20_000);
      for (let i = first; i < first + 10; i++) await publisher.send(spikeMessage(i));
      await waitUntil(() => sampleNumbers.length === first + 10, 'the messages sent after', 20_000);
      expect(sampleNumbers).toEqual(Array.from({ length: first + 10 }, (_, i) => i));
      expect(events).toEqual(['{"event":"handshake"}']);
    } finally {
      child.kill('SIGKILL');
      publisher.close();
    }
  }, 60_000);

  it('refuses a message over 1 MiB unread (oversized: counted, alerted) and reads on', async () => {
    const { publisher, source, alerts, spikeTimes, subscriptions } = await publisherAndSource();
    source.start();
    await waitUntil(() => subscriptions() === 1, 'the subscription', 20_000);
    await publisher.send([Buffer.from([1, 0]), Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20)]);
    await publisher.send(spikeMessage(3_000));
    await waitUntil(() => spikeTimes().length === 1, 'the spike after it', 20_000);
    expect(source.counters.refused).toEqual({ oversized: 1 });
    const rejected = alerts.find((alert) => alert.kind === 'input-rejected')!;
    expect(rejected.message).toMatch(/1 message refused \(oversized\): a message of 1048579 bytes in 2 frames \(over 1048576 bytes/);
    expect(source.summary()).toMatch(/refused 1 oversized/);
    source.close();
    publisher.close();
  }, 30_000);
});
