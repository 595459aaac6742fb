import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as zmq from 'zeromq';
import { EventClock } from '../../simulators/eventClock.ts';
import { EventBroadcasterSimulator } from '../../simulators/eventBroadcasterSimulator.ts';
import { RhxSimulator } from '../../simulators/rhxSimulator.ts';
import { RigSimulator } from '../../simulators/rigSimulator.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const population = { units: 8, seed: 7, synergisticPairs: 1, redundantPairs: 1, meanRateHz: 20 };

/** Event times a manual run is moved to: uneven jumps, several within one step, some over many. */
const JUMPS = [0.01, 0.3, 0.31, 0.9, 1.37, 1.5, 2.2, 2.9];

describe('rig simulators: what is sent depends on the seed and event time, never on the pace', () => {
  it('RigSimulator: a paced run and a run moved by hand in uneven jumps send the same frames, ending exactly at untilSeconds', async () => {
    /** Every frame after hello, as text or base64, up to and with `end`. */
    const record = async (speed: number | 'manual'): Promise<string[]> => {
      const simulator = await RigSimulator.start({ ...population, speed, untilSeconds: 3, run: 'same' });
      const client = new WebSocket(simulator.url);
      const frames: string[] = [];
      let ended = false;
      client.on('message', (data, isBinary) => {
        const bytes = Buffer.from(data as Buffer);
        const text = isBinary ? bytes.toString('base64') : bytes.toString('utf8');
        if (frames.length === 0 && !isBinary && JSON.parse(text).type === 'hello') client.send(JSON.stringify({ type: 'ready', lastSeq: null }));
        frames.push(text);
        if (!isBinary && JSON.parse(text).type === 'end') ended = true;
      });
      if (speed === 'manual') {
        await simulator.clientsAreReady(1);
        for (const t of [...JUMPS, 3]) simulator.advanceTo(t);
      }
      await simulator.finished;
      await waitUntil(() => ended, 'the end frame');
      client.close();
      expect(simulator.now()).toBe(3);
      return frames;
    };
    const [paced, manual] = [await record(40), await record('manual')];
    expect(manual).toEqual(paced);
    const last = paced.slice(-2).map((frame) => JSON.parse(frame) as { type: string; t?: number });
    expect(last[0]).toMatchObject({ type: 'heartbeat', t: 3 });
    expect(last[1].type).toBe('end');
  });

  it('RhxSimulator: the spike port carries the same bytes however the run is moved on; untilSeconds cuts the last write block and stops the board', async () => {
    const record = async (jumps: number[]): Promise<{ bytes: Buffer; samples: number[] }> => {
      const simulator = await RhxSimulator.start({ ...population, speed: 'manual', spikePort: 0, untilSeconds: 1.001 });
      const chunks: Buffer[] = [];
      const client: Socket = connect(Number(new URL(simulator.spikeUrl).port), '127.0.0.1');
      client.on('data', (chunk: Buffer) => chunks.push(chunk));
      await waitUntil(() => simulator.hasSpikeClient, 'the spike client');
      for (const t of jumps) simulator.advanceTo(t);
      // The run ended at 1.001 s as the last jump reached it.
      expect(simulator.isRunning).toBe(false);
      expect(simulator.now()).toBe(1.001);
      await simulator.finished;
      const written = simulator.spikesSent * 14;
      await waitUntil(() => Buffer.concat(chunks).length === written, `${written} bytes`);
      client.destroy();
      await simulator.stop();
      return { bytes: Buffer.concat(chunks), samples: simulator.sent.sample };
    };
    const once = await record([5]);
    const stepwise = await record([...JUMPS.filter((t) => t < 1.001), 1.001]);
    expect(stepwise.bytes.equals(once.bytes)).toBe(true);
    expect(once.samples.length).toBeGreaterThan(50);
    // Samples of the run up to 1.001 s (30,030 samples), the last block cut there.
    expect(Math.max(...once.samples)).toBeLessThan(30_030);
    expect(Math.max(...once.samples)).toBeGreaterThan(29_440);
  });

  it('EventBroadcasterSimulator: a paced run and a run moved by hand publish the same messages', async () => {
    const record = async (speed: number | 'manual'): Promise<string[]> => {
      const simulator = await EventBroadcasterSimulator.start({ ...population, speed, untilSeconds: 3 });
      const subscriber = new zmq.Subscriber({ linger: 0 });
      subscriber.subscribe();
      subscriber.connect(simulator.url);
      const messages: string[] = [];
      const reading = (async () => {
        for await (const [type, json] of subscriber) messages.push(`${type.readUInt16LE(0)} ${json.toString()}`);
      })();
      await simulator.whenSubscribed();
      if (speed === 'manual') for (const t of [...JUMPS, 3]) await simulator.advanceTo(t);
      await simulator.finished;
      await waitUntil(() => messages.length === simulator.messagesSent, `${simulator.messagesSent} messages`);
      subscriber.close();
      await reading.catch(() => {});
      await simulator.stop();
      expect(simulator.now()).toBe(3);
      return messages;
    };
    const [paced, manual] = [await record(40), await record('manual')];
    expect(manual).toEqual(paced);
    expect(paced.length).toBeGreaterThan(100);
  });

  it('EventClock: paced by a given wall clock from start(), capped at untilSeconds; manual moves only forward', () => {
    let nowMs = 1000;
    const paced = new EventClock(4, 10, 20, () => nowMs);
    expect(paced.due()).toBe(10);
    nowMs = 2000;
    expect(paced.due()).toBe(10);
    paced.start();
    nowMs = 2500;
    expect(paced.due()).toBe(12);
    nowMs = 60_000;
    expect(paced.due()).toBe(20);
    const manual = new EventClock('manual');
    manual.advanceTo(5);
    manual.advanceTo(3);
    expect(manual.due()).toBe(5);
    expect(() => paced.advanceTo(1)).toThrow(/manual/);
    expect(() => new EventClock(0)).toThrow(/speed/);
    expect(() => new EventClock(Infinity)).toThrow(/speed/);
    expect(() => new EventClock(1, 5, 5)).toThrow(/untilSeconds/);
  });
});
