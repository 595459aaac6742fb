/**
 * A CPU profile of part of a benchmark run (node:inspector, in process), and
 * its summary: self time per function, the largest first.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the profiled time. */
export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

/** Starts profiling now; `stop` ends it, saves the profile to `file` (for a profile viewer) and returns its summary. */
export function startProfile(file: string): { stop: (top?: number) => SelfTime[] } {
  const session = new Session();
  session.connect();
  // An in-process session answers synchronously.
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  return {
    stop(top = 12) {
      let profile: Profile | undefined;
      session.post('Profiler.stop', (error, result) => {
        if (error) throw error;
        profile = result.profile as unknown as Profile;
      });
      session.disconnect();
      if (profile === undefined) throw new Error('the profiler did not answer');
      writeFileSync(file, JSON.stringify(profile));
      return selfTimes(profile).slice(0, top);
    },
  };
}

/** Self time per function (name, file and line), the largest first. */
export function selfTimes(profile: Profile): SelfTime[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, k) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = `${functionName || '(anonymous)'}${url === '' ? '' : ` ${url.split('/').pop()}:${lineNumber + 1}`}`;
    const dt = profile.timeDeltas[k] ?? 0;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: Math.round((1000 * us) / total) / 10 }));
}
