/**
 * The numpy peer on the streaming benchmark's data (bench/run.ts starts it
 * beside streamingWorkload.ts). Prints one JSON line per estimator, or one
 * line saying why the peer was skipped.
 *
 *   tsx bench/peers/numpyWorkload.ts --units 1024 [--seconds 30] [--estimators plugin,miller-madow] [--top 100]
 *
 * The recording is the one streamingWorkload.ts analyzes with no surrogates
 * (bench/workloadEvents.ts): the window (60 s) fills first, then the
 * emissions at T = 60, 61, … s (`--seconds` of them) are the measured hops,
 * the same ones the analyzer is timed on. The bins come from the analyzer's
 * own binning and labeling (bench/peers/peerData.ts), written to a temp
 * folder that is removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flag } from '../flags.ts';
import { WORKLOAD_WINDOW, workloadChunks, workloadPopulationOptions } from '../workloadEvents.ts';
import { findNumpyPython, NUMPY_PEER_ESTIMATORS, runNumpyPeer, type NumpyPeerEstimator } from './numpyPeer.ts';
import { emissionBinsFrom, labeledBins, writePeerData } from './peerData.ts';

const units = Number(flag('units', '1024'));
const measuredSeconds = Number(flag('seconds', '30'));
const top = Number(flag('top', '100'));
const estimators = flag('estimators', NUMPY_PEER_ESTIMATORS.join(',')).split(',') as NumpyPeerEstimator[];
for (const estimator of estimators) {
  if (!NUMPY_PEER_ESTIMATORS.includes(estimator)) throw new RangeError(`the numpy peer computes ${NUMPY_PEER_ESTIMATORS.join(', ')}, not ${estimator}`);
}

const python = findNumpyPython();
if (!python.found) {
  for (const estimator of estimators) {
    process.stdout.write(`${JSON.stringify({ name: `peer/numpy/${estimator}/${units}-units`, skipped: python.reason })}\n`);
  }
} else {
  const window = WORKLOAD_WINDOW;
  const hops = Math.round(measuredSeconds / window.hopSeconds);
  const { chunks } = workloadChunks(workloadPopulationOptions(units), window.windowSeconds + measuredSeconds);
  const data = labeledBins(chunks.flat(), window);
  const folder = mkdtempSync(join(tmpdir(), 'synergy-numpy-peer-'));
  try {
    writePeerData(folder, data, window, emissionBinsFrom(data, window, window.windowSeconds, hops));
    for (const estimator of estimators) {
      const result = runNumpyPeer(python.python, folder, estimator, { top });
      process.stdout.write(`${JSON.stringify({ ...result, python: `${python.python} (${String(result.python)})` })}\n`);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
