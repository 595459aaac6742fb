import { describe, expect, it } from 'vitest';
import { spikeBatch } from '../../src/stream/events.ts';
import { DEFAULT_ANALYSIS_OPTIONS } from '../../src/stream/options.ts';
import { TrialAnalyzer } from '../../src/trials/trialAnalysis.ts';
import { connectRig } from '../helpers/protocolRig.ts';
import { startServe } from '../helpers/serveProcess.ts';

describe('a trial announced seconds ahead of its onset', () => {
  it('does not move the source clock: the spikes before it are neither a clock reset nor a jump, and its own spikes count', async () => {
    const early = { t: [0.5, 1, 2, 3], unit: ['a', 'b', 'a', 'b'] };
    const later = { t: [3.5, 6, 10.01, 10.02, 10.03], unit: ['a', 'b', 'a', 'b', 'a'] };
    const serve = await startServe(['--surrogates', '0']);
    try {
      const rig = await connectRig(serve.ingestUrl);
      rig.send({ type: 'hello', protocol: 1, source: 'ahead', trials: { window: [0, 0.05], count: 1, hop: 1 } });
      await rig.reply((frame) => frame.type === 'ready');
      rig.send({ type: 'spikes', seq: 0, ...early });
      rig.send({ type: 'trial', seq: 1, t: 10, label: 'go' });
      rig.send({ type: 'spikes', seq: 2, ...later });
      rig.send({ type: 'heartbeat', seq: 3, t: 10.5 });
      rig.send({ type: 'end', seq: 4 });
      await rig.closed;
      expect(rig.replies.filter((frame) => frame.type === 'error')).toEqual([]);
    } finally {
      const result = await serve.stop();
      expect(result.alerts.map((alert) => alert.kind)).toEqual([]);
      const analyzer = new TrialAnalyzer([], { from: 0, to: 0.05 }, { ...DEFAULT_ANALYSIS_OPTIONS, surrogates: 0 }, { count: 1, hop: 1 });
      const offline = [...analyzer.push(spikeBatch(early.t, early.unit))];
      analyzer.addTrial(10, 'go');
      offline.push(...analyzer.push(spikeBatch(later.t, later.unit)), ...analyzer.advance(10.5), ...analyzer.finish());
      expect(offline).toHaveLength(1);
      expect(offline[0]).toMatchObject({ units: 2, samples: 1 });
      expect(result.updates.map(({ source: _source, ...update }) => update)).toEqual(JSON.parse(JSON.stringify(offline)));
    }
  });
});
