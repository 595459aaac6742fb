import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectSameReplayAsCsv, sampledSession, writeSessionCsv } from '../helpers/recordingFixtures.ts';

const folder = mkdtempSync(join(tmpdir(), 'synergy-text-recording-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('text recordings', () => {
  it('JSONL and TSV replay exactly as the same spikes in CSV', async () => {
    const session = sampledSession({ seconds: 40 });
    const reference = writeSessionCsv(folder, session);
    const jsonl = join(folder, 'spikes.jsonl');
    writeFileSync(jsonl, Array.from(session.t, (t, i) => `{"unit":"${session.unitIds[session.unit[i]]}","time_s":${t}}\n`).join(''));
    const tsv = join(folder, 'spikes.tsv');
    writeFileSync(tsv, `time\tunit\n${Array.from(session.t, (t, i) => `${t}\t${session.unitIds[session.unit[i]]}`).join('\n')}\n`);
    const updates = await expectSameReplayAsCsv([jsonl, '--labels', reference.labels], reference);
    expect(updates.map((u) => u.t)).toEqual(Array.from({ length: 19 }, (_, k) => 2 * (k + 1)));
    await expectSameReplayAsCsv([tsv, '--labels', reference.labels], reference);
  });
});
