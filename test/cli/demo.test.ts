import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alertEvent.ts';
import { renderLiveTable } from '../../src/cli/liveTable.ts';
import type { SynergyUpdate } from '../../src/engine/synergyUpdate.ts';
import { runCli } from '../helpers/runCli.ts';

describe('synergy demo', () => {
  it('runs simulator, analyzer and server in one process; off a terminal it prints plain lines with the alerts', async () => {
    const result = await runCli(['demo', '--speed', '20', '--duration', '60', '--port', '0'], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^synergy-stream demo — simulated rig: 16 units, 3 modes; planted: .*synergistic.*redundant/);
    expect(result.stdout).toMatch(/subscribe: ws:\/\/127\.0\.0\.1:\d+\/subscribe/);
    expect(result.stdout).toMatch(/\[ALERT\] t=\d+\.\d+ s synergy: units \S+ and \S+/);
    expect(result.stdout).toMatch(/t=60 s, 1500 labeled bins: .*\(planted synergistic\)/);
    expect(result.stdout).not.toMatch(/\x1b/);
    // Every raised pair alert is a planted pair.
    const planted = /planted: (.*)$/m.exec(lines[0])![1].split(', ').map((entry) => entry.split(' ')[0].split('–').sort().join('|'));
    for (const match of result.stdout.matchAll(/\[ALERT\] t=\S+ s (?:synergy|redundancy): units (\S+) and (\S+):/g)) {
      expect(planted).toContain([match[1], match[2]].sort().join('|'));
    }
    expect(result.stderr).toMatch(/synergy demo: 60 updates; alerts: .*sources: demo-rig: \d+ messages/);
  }, 60_000);
});

describe('the live table', () => {
  it('shows the strongest pairs with p, alert state and what was planted, then recent alerts', () => {
    const update: SynergyUpdate = {
      type: 'synergy',
      t: 42,
      window: [12, 42],
      samples: 1490,
      labels: { 'mode-0': 700, 'mode-1': 790 },
      estimator: 'panzeri-treves',
      levels: 3,
      dropped: { unlabeled: 10, late: 0 },
      units: 16,
      pairsComputed: 120,
      surrogates: 99,
      pairs: [
        { a: '3', b: '11', joint: 0.2, ia: 0.01, ib: 0.02, synergy: 0.17, normalized: 0.85, p: 0.01 },
        { a: '7', b: '9', joint: 0.01, ia: 0, ib: 0, synergy: 0.004, normalized: 0.4, p: 0.6 },
      ],
    };
    const alert: AlertEvent = { type: 'alert', state: 'raised', kind: 'synergy', t: 40, a: '3', b: '11', value: 0.17, p: 0.01, message: 'units 3 and 11: synergy' };
    const lines = renderLiveTable({ title: ['demo'], update, alerts: [alert], raised: new Map([['11|3', 'synergy']]), truth: new Map([['11|3', 'synergistic']]), rows: 10 });
    expect(lines).toContain('t = 42.0 s   window [12.0, 42.0) s: 1490 labeled bins (mode-0 700, mode-1 790), 10 unlabeled   units 16, pairs 120');
    const row = lines.find((line) => line.startsWith('3 – 11'))!;
    expect(row).toMatch(/\+0\.1700\s+0\.010\s+0\.2000\s+0\.0100\s+0\.0200\s+synergy\s+synergistic/);
    expect(lines.find((line) => line.startsWith('7 – 9'))).toMatch(/\+0\.0040\s+0\.600/);
    expect(lines.at(-1)).toMatch(/\[ALERT\] t=40\.000 s synergy: units 3 and 11/);
    expect(renderLiveTable({ title: ['demo'], update: undefined, alerts: [], raised: new Map(), rows: 10 })).toContain('waiting for the first update (the first hop of data)…');
  });
});
