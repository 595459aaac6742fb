import { Command } from 'commander';
import { ClusterWorker } from '../src/cluster/clusterWorker.ts';
import { redactRedisUrl } from '../src/cluster/redisConnection.ts';
import type { CliIo } from './cliIo.ts';
import { untilInterrupted } from './liveOptions.ts';

interface WorkerFlags {
  redis: string;
  name?: string;
}

/** `synergy worker`: a Redis worker that holds pair tiles of the runs coordinated there (docs/SCALING.md). */
export function workerCommand(io: CliIo): Command {
  return new Command('worker')
    .summary('hold pair tiles for analyses coordinated through Redis')
    .description(
      `Holds pair tiles of the analyses that a coordinator (replay, serve,
connect or demo with --cluster) runs through Redis: it takes its share of
each run's tiles (the tiles over the live workers) through leases, follows
the run's frame log and sends its tiles' part of every update back. Start
as many as there are cores to spare, on this machine or others that reach
the same Redis. A worker that dies (or stalls past its lease) has its
tiles resumed by another from the last window of frames: every update is
still made, late but equal. Stop with Ctrl-C: its tiles go to the others.

The Redis URL carries the ACL user, password and database as given
(redis://user:password@host:6379/0; rediss:// for TLS). docs/SCALING.md says
how to run Redis for it and beyond one host.

Examples:
  redis-server --port 6379 --save '' --appendonly no &
  synergy worker --redis redis://127.0.0.1:6379
  synergy worker --redis redis://synergy:secret@rig-redis:6379 --name gpu-box-1
  synergy replay session.nwb --cluster redis://127.0.0.1:6379 --out u.jsonl`,
    )
    .requiredOption('--redis <url>', 'the Redis the coordinator uses (redis://[user:password@]host[:port][/db] or rediss://…)')
    .option('--name <name>', "this worker's name in leases and in worker-lost alerts (default: host-pid-random)")
    .action(async (flags: WorkerFlags) => {
      const worker = await ClusterWorker.start(flags.redis, { name: flags.name, log: (line) => io.stderr(`synergy worker: ${line}\n`) });
      io.stderr(`synergy worker: ${worker.id} is taking tiles from Redis at ${redactRedisUrl(flags.redis)} (Ctrl-C to stop)\n`);
      const interrupted = untilInterrupted();
      const signal = await interrupted.promise;
      interrupted.cancel();
      await worker.stop();
      io.stderr(`synergy worker: ${worker.id} stopped (${signal}); its tiles go to the other workers\n`);
    });
}
