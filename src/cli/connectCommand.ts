import { Command } from 'commander';
import { RigConnection } from '../../adapters/ws/rigConnection.ts';
import { UsageError } from '../errors.ts';
import { runLiveAnalysis } from '../live/liveAnalysis.ts';
import { SynergyServer } from '../server/synergyServer.ts';
import { addAnalysisOptions, analysisOptionsFrom, type AnalysisFlags } from './analysisOptions.ts';
import { addAlertOptions, alertOptionsFrom, LIVE_DEFAULT_SURROGATES, serverOptionsFrom, untilInterrupted, type AlertFlags } from './liveOptions.ts';
import type { CliIo } from './main.ts';
import { parseInteger } from './parseOptions.ts';
import { analysisDescription, liveSummaryLine } from './serveCommand.ts';

interface ConnectFlags extends AnalysisFlags, AlertFlags {
  out?: string;
  token?: string;
  serve?: number;
  serveHost: string;
  serveToken?: string;
  maxRetries?: number;
}

export function connectCommand(io: CliIo): Command {
  const command = new Command('connect')
    .summary('analyze a live rig that serves the ingest protocol')
    .description(
      `Connects to a rig (or bridge) that serves the ingest protocol over WebSocket
(docs/PROTOCOL.md), analyzes its spikes and modes live, and writes an update
every --hop seconds (one JSON object, bits) to stdout or --out; alerts go to
stderr as a line, to --alerts-out, and with --serve PORT to subscribers.

The rig sends hello; the analyzer answers ready with the last seq it holds,
so a rig that buffers resends what was missed. When the connection drops
without end, a source-lost alert is raised and the analyzer reconnects with
exponential backoff and jitter (up to 30 s between tries), reporting the gap
(sequence-gap, or data-gap for the stretch of time not delivered) when the
rig is back. The command ends when the rig says end, or on Ctrl-C.

Examples:
  synergy simulate --port 7701 &        # a simulated rig
  synergy connect ws://127.0.0.1:7701 --window 30 --serve 7700
  synergy connect ws://rig.lab:7701 --token "$RIG_TOKEN" \\
      --out updates.jsonl --alerts-out alerts.jsonl`,
    )
    .argument('<url>', 'ws:// address of the rig')
    .option('--out <file>', 'write updates to this file instead of stdout')
    .option('--token <token>', 'token the rig requires (sent as Authorization: Bearer)')
    .option('--serve <port>', 'also publish updates and alerts to subscribers on ws://127.0.0.1:PORT/subscribe', parseInteger('--serve', 0))
    .option('--serve-host <address>', 'address --serve listens on (beyond loopback --serve-token is required)', '127.0.0.1')
    .option('--serve-token <token>', 'token subscribers must give with --serve')
    .option('--max-retries <n>', 'give up after this many failed connection attempts in a row (default: never)', parseInteger('--max-retries', 0));
  addAnalysisOptions(command, { surrogates: LIVE_DEFAULT_SURROGATES });
  addAlertOptions(command);
  return command.action(async (url: string, flags: ConnectFlags) => {
    const options = analysisOptionsFrom(flags);
    let rig: RigConnection;
    try {
      rig = new RigConnection({
        url,
        token: flags.token,
        reconnect: flags.maxRetries === undefined ? {} : { maxAttempts: flags.maxRetries },
        timeJumps: undefined,
        onStatus: (line) => io.stderr(`synergy connect: ${line}\n`),
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const server =
      flags.serve === undefined
        ? undefined
        : await SynergyServer.start({
            ...serverOptionsFrom(
              { host: flags.serveHost, port: flags.serve, token: flags.serveToken, maxPayload: 16 * 1024 * 1024, silence: 5, maxTimeJump: 600 },
              false,
              options.latenessSeconds,
            ),
            analysis: analysisDescription(options),
          });
    if (server !== undefined) io.stderr(`synergy connect: subscribe at ${server.subscribeUrl}\n`);
    const interrupted = untilInterrupted();
    const done = runLiveAnalysis(rig.events, rig.alerts, options, alertOptionsFrom(flags, options), {
      publish: server === undefined ? undefined : (item) => server.publish(item),
      updatesFile: flags.out,
      alertsFile: flags.alertsOut,
      alertLine: flags.quietAlerts ? undefined : (line) => io.stderr(`${line}\n`),
      observe: flags.out === undefined ? (item) => item.type === 'synergy' && io.stdout(`${JSON.stringify(item)}\n`) : undefined,
    });
    rig.start();
    void interrupted.promise.then(() => rig.close());
    try {
      const summary = await done;
      io.stderr(`${liveSummaryLine('synergy connect', summary, rig.summary())}\n`);
    } finally {
      interrupted.cancel();
      await server?.close();
    }
  });
}

