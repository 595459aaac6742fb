/**
 * Rig adapter benchmarks (`npm run bench:rigs [-- --json]`): the Open Ephys
 * Event Broadcaster (ZeroMQ) and the Intan RHX spike port (TCP), each over
 * loopback, alone and through the full live analysis. Target: each adapter
 * sustains at least 200,000 spikes/s.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const script of ['openEphysLive.ts', 'intanLive.ts']) {
  execFileSync(process.execPath, ['--import', 'tsx', join(here, script), ...process.argv.slice(2)], { stdio: 'inherit' });
}
