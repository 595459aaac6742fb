import { Command, InvalidArgumentError } from 'commander';
import type { PairAlertOptions } from '../alerts/pairAlerts.ts';
import { UsageError } from '../errors.ts';
import type { AnalysisOptions } from '../stream/options.ts';
import { DEFAULT_TIME_JUMP_LIMITS } from '../live/ingestSession.ts';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../server/synergyServer.ts';
import { parseInteger } from './parseOptions.ts';

/** Surrogates per update by default on live commands: alerts need a p-value (99 gives p down to 0.01). */
export const LIVE_DEFAULT_SURROGATES = 99;

export interface AlertFlags {
  alertThreshold: number;
  alertP: number;
  alertFor: number;
  alertMinSamples?: number;
  alertsOut?: string;
  quietAlerts?: boolean;
}

export interface ServerFlags {
  host: string;
  port: number;
  token?: string;
  maxPayload: number;
  silence: number;
  maxTimeJump: number;
}

function parsePositive(option: string, maximum = Infinity): (value: string) => number {
  return (value: string) => {
    const number = Number(value);
    if (value.trim() === '' || !(number > 0) || number > maximum) {
      throw new InvalidArgumentError(`${option} takes a number > 0${maximum < Infinity ? ` and ≤ ${maximum}` : ''}, got '${value}'`);
    }
    return number;
  };
}

/** --alert-threshold, --alert-p, --alert-for, --alerts-out (DESIGN §5). */
export function addAlertOptions(command: Command): Command {
  return command
    .option('--alert-threshold <bits>', 'raise a synergy alert at corrected synergy ≥ this (a redundancy alert at ≤ −this)', parsePositive('--alert-threshold'), 0.05)
    .option('--alert-p <p>', 'largest surrogate p-value that counts for an alert', parsePositive('--alert-p', 1), 0.01)
    .option('--alert-for <updates>', 'consecutive updates the condition must hold to raise (and to clear)', parseInteger('--alert-for', 1), 3)
    .option('--alert-min-samples <bins>', 'labeled bins an update needs before it can raise or clear an alert (default: half the window)', parseInteger('--alert-min-samples', 1))
    .option('--alerts-out <file>', 'also write alerts as JSONL to this file')
    .option('--quiet-alerts', 'do not print alert lines on stderr');
}

export function alertOptionsFrom(flags: AlertFlags, analysis: AnalysisOptions): PairAlertOptions {
  const windowBins = Math.round(analysis.windowSeconds / analysis.binSeconds);
  return { thresholdBits: flags.alertThreshold, maxP: flags.alertP, forUpdates: flags.alertFor, minSamples: flags.alertMinSamples ?? Math.ceil(windowBins / 2) };
}

/** --host, --port, --token, --max-payload, --silence, --max-time-jump. */
export function addServerOptions(command: Command, defaultPort: number): Command {
  return command
    .option('--host <address>', 'address to listen on (beyond loopback a --token is required)', DEFAULT_SERVER_OPTIONS.host)
    .option('--port <port>', 'port to listen on (0: any free port)', parseInteger('--port', 0), defaultPort)
    .option('--token <token>', 'require this token from rigs and subscribers (Authorization: Bearer <token>, or ?token=<token>)')
    .option('--max-payload <bytes>', 'largest WebSocket message accepted', parseInteger('--max-payload', 1024), DEFAULT_SERVER_OPTIONS.maxPayloadBytes)
    .option('--silence <seconds>', 'alert when a connected source sends nothing for this long', parsePositive('--silence'), DEFAULT_SERVER_OPTIONS.silenceSeconds)
    .option(
      '--max-time-jump <seconds>',
      'refuse messages more than this far ahead of their source’s latest time (a clock error)',
      parsePositive('--max-time-jump'),
      DEFAULT_TIME_JUMP_LIMITS.refuseSeconds,
    );
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Server options from the flags; binding beyond loopback without a token is refused. */
export function serverOptionsFrom(flags: ServerFlags, ingest: boolean, latenessSeconds: number): Partial<ServerOptions> {
  if (!LOOPBACK.has(flags.host) && (flags.token === undefined || flags.token === '')) {
    throw new UsageError(`--host ${flags.host} listens beyond this machine: give a --token so that only your rigs and subscribers get in`);
  }
  return {
    host: flags.host,
    port: flags.port,
    token: flags.token,
    ingest,
    maxPayloadBytes: flags.maxPayload,
    silenceSeconds: flags.silence,
    timeJumps: { ...DEFAULT_TIME_JUMP_LIMITS, refuseSeconds: flags.maxTimeJump, backSeconds: latenessSeconds },
  };
}

/** Resolves on the first SIGINT or SIGTERM (and removes its listeners). */
export function untilInterrupted(): { promise: Promise<string>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<string>((resolve) => {
    const onSignal = (signal: string) => {
      cancel();
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    cancel = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  });
  return { promise, cancel };
}
