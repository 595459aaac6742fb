import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { decodeMatrixFrame } from '../../src/server/matrixFrame.ts';
import { recordingSubscriber } from '../helpers/recordingSubscriber.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-replay-serve-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** 20 s of 4 units in 50 ms bins: the XOR of a and b gives the mode (a synergistic pair), c and d are noise. */
function smallRecording(): { spikes: string; labels: string } {
  const rows = ['unit,t'];
  const labelRows = ['start,end,label'];
  let state = 777;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let k = 0; k < 400; k++) {
    const t = k * 0.05;
    const a = random() < 0.5;
    const b = random() < 0.5;
    if (a) rows.push(`a,${(t + 0.01).toFixed(4)}`);
    if (b) rows.push(`b,${(t + 0.02).toFixed(4)}`);
    if (random() < 0.3) rows.push(`c,${(t + 0.03).toFixed(4)}`);
    if (random() < 0.3) rows.push(`d,${(t + 0.04).toFixed(4)}`);
    labelRows.push(`${t.toFixed(2)},${(t + 0.05).toFixed(2)},${a !== b ? 'go' : 'nogo'}`);
  }
  const spikes = join(folder, 'spikes.csv');
  const labels = join(folder, 'labels.csv');
  writeFileSync(spikes, `${rows.join('\n')}\n`);
  writeFileSync(labels, `${labelRows.join('\n')}\n`);
  return { spikes, labels };
}

const subscribe = (url: string) => recordingSubscriber(url, { topics: ['synergy', 'alerts', 'matrix', 'status'], history: true });

describe('synergy replay --serve for a page', () => {
  it('waits for its subscriber, sends every update with its matrix, ends with an end message, and lingers for a late one', async () => {
    const { spikes, labels } = smallRecording();
    const out = join(folder, 'updates.jsonl');
    let stderr = '';
    let announced: (url: string) => void = () => {};
    const address = new Promise<string>((resolve) => (announced = resolve));
    const linger = 6;
    const args = ['replay', spikes, '--labels', labels, '--bin', '0.05', '--window', '5', '--hop', '1', '--surrogates', '19', '--serve', '0', '--wait-subscribers', '1', '--linger', String(linger), '--out', out];
    const finished = main(args, {
      stdout: () => {},
      stderr: (text) => {
        stderr += text;
        const match = /subscribe at (ws:\/\/\S+)/.exec(stderr);
        if (match !== null) announced(match[1]);
      },
    }).then((code) => ({ code, at: performance.now() }));
    const url = await address;
    // The page is served on the same port.
    const page = await fetch(url.replace(/^ws:/, 'http:').replace(/\/subscribe$/, '/'));
    expect(await page.text()).toContain('/page.js');
    await waitUntil(() => stderr.includes('waiting for 1 subscriber'), 'the replay to wait', 20_000, 5);

    const first = await subscribe(url);
    await waitUntil(() => first.text().some((m) => m.type === 'end'), 'the end of stream', 60_000, 10);
    const endAt = performance.now();
    const messages = first.text();
    // Subscribed before the replay began: its history holds no update.
    const history = messages.find((m) => m.type === 'history') as { updates: unknown[]; alerts: unknown[] };
    expect(history.updates).toEqual([]);
    const written = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SynergyUpdate)
      .filter((line) => line.type === 'synergy');
    expect(written.length).toBeGreaterThan(10);
    const sent = messages.filter((m) => m.type === 'synergy') as unknown as Array<SynergyUpdate & { conflated?: number }>;
    // Every update reached it (a slow subscriber's are conflated, and counted).
    expect(sent.reduce((total, update) => total + 1 + (update.conflated ?? 0), 0)).toBe(written.length);
    expect(sent.at(-1)).toEqual(written.at(-1));
    const end = messages.find((m) => m.type === 'end');
    expect(end).toMatchObject({ type: 'end', source: null, t: written.at(-1)!.t, updates: written.length });
    expect(messages.findIndex((m) => m.type === 'end')).toBeGreaterThan(messages.lastIndexOf(sent.at(-1)! as unknown as Record<string, unknown>));
    // The matrix of the last update holds every pair's synergy, as the update names them.
    const frames = first.received.filter((item): item is Buffer => Buffer.isBuffer(item)).map(decodeMatrixFrame);
    const last = frames.at(-1)!;
    expect(last.header.t).toBe(written.at(-1)!.t);
    expect(last.header.units).toEqual(['a', 'b', 'c', 'd']);
    const index = (i: number, j: number) => (i * (2 * 4 - i - 1)) / 2 + (j - i - 1);
    for (const pair of written.at(-1)!.pairs) {
      const i = last.header.units.indexOf(pair.a);
      const j = last.header.units.indexOf(pair.b);
      expect(last.synergy[index(i, j)], `${pair.a}–${pair.b}`).toBe(Math.fround(pair.synergy));
      expect(last.flags[index(i, j)] & 1, `${pair.a}–${pair.b}`).toBe(pair.p_fwer! <= written.at(-1)!.alpha! ? 1 : 0);
    }
    expect(last.synergy[index(0, 1)]).toBeGreaterThan(0.3);
    expect(last.header.modes.length).toBeGreaterThan(0);

    // After the end the server lingers: a page opened now sees the end and the earlier updates.
    const late = await subscribe(url);
    await waitUntil(() => late.text().some((m) => m.type === 'history'), 'the late history', 20_000, 5);
    const lateHistory = late.text().find((m) => m.type === 'history') as { updates: SynergyUpdate[]; ended: object[] };
    expect(lateHistory.updates.map((u) => u.t)).toEqual(written.map((u) => u.t));
    expect(lateHistory.ended).toEqual([end]);
    const result = await finished;
    expect(result.code, stderr).toBe(0);
    expect(result.at - endAt).toBeGreaterThan(linger * 1000 - 1500);
    expect(stderr).toContain(`serving its last state for ${linger} s`);
    first.socket.terminate();
    late.socket.terminate();
  });

  it('refuses --wait-subscribers and --linger without --serve', async () => {
    const { spikes, labels } = smallRecording();
    for (const [flag, value, says] of [
      ['--wait-subscribers', '1', '--wait-subscribers needs --serve PORT'],
      ['--linger', '5', '--linger needs --serve PORT'],
    ]) {
      let stderr = '';
      const code = await main(['replay', spikes, '--labels', labels, '--bin', '0.05', flag, value], { stdout: () => {}, stderr: (text) => (stderr += text) });
      expect(code).toBe(2);
      expect(stderr).toContain(says);
    }
  });
});
