import { UsageError } from '../src/errors.ts';
import { checkRhxOptions } from './intan/rhxOptions.ts';

export { parseChannelList } from './intan/rhxOptions.ts';
import type { LiveSource } from './liveSource.ts';
import { parseTtlLabels } from './ttlLabels.ts';
import type { IngestLimits } from '../src/live/ingestSession.ts';

/** The live protocols `synergy connect` speaks. */
export const LIVE_FORMATS = ['protocol', 'openephys', 'intan'] as const;
export type LiveFormat = (typeof LIVE_FORMATS)[number];

/** The URL scheme each format is reached by. */
const SCHEMES: Record<LiveFormat, readonly string[]> = {
  protocol: ['ws:', 'wss:'],
  openephys: ['zmq:', 'tcp:'],
  intan: ['tcp:'],
};

export interface LiveSourceOptions {
  /** Default: from the URL (ws:// → protocol, zmq:// → openephys; tcp:// needs --format). */
  format?: LiveFormat;
  /** Our protocol: the rig's token. */
  token?: string;
  /** Attempts in a row before giving up (default: never). */
  maxRetries?: number;
  /** Seconds without data before a source-silent alert (rigs; our protocol has heartbeats and its own checks). */
  silenceSeconds?: number;
  /** Open Ephys: TTL states to modes (`--ttl-labels`). */
  ttlLabels?: string;
  /** Open Ephys: sorted_id 0 dropped (default) or kept per electrode. */
  unsorted?: 'drop' | 'channel';
  /** Intan: host:port of the RHX command port. */
  command?: string;
  /** Intan: channels whose spike output is enabled through the command port. */
  channels?: string[];
  /** Intan: samples per second (else asked from the command port). */
  sampleRate?: number;
  /** Our protocol: what the rig may send (time jumps, units, modes). */
  limits?: Partial<IngestLimits>;
  onStatus?: (line: string) => void;
}

/** The format a URL and an optional --format name, checked against each other. */
export function liveFormatOf(url: string, format: LiveFormat | undefined): LiveFormat {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new UsageError(`'${url}' is not an address: give ws://HOST:PORT (our protocol), zmq://HOST:5557 (Open Ephys) or tcp://HOST:5002 --format intan`);
  }
  if (format !== undefined) {
    if (!SCHEMES[format].includes(scheme)) {
      throw new UsageError(`--format ${format} is reached by ${SCHEMES[format].map((s) => `${s}//`).join(' or ')} addresses, not ${scheme}//`);
    }
    return format;
  }
  if (scheme === 'ws:' || scheme === 'wss:') return 'protocol';
  if (scheme === 'zmq:') return 'openephys';
  if (scheme === 'tcp:') throw new UsageError(`a tcp:// address needs --format: intan (RHX spike port) or openephys (Event Broadcaster)`);
  throw new UsageError(`unknown address scheme ${scheme}// in '${url}': give ws://, zmq:// or tcp://`);
}

/** Options that belong to one format only, checked so that a mistyped command says so instead of ignoring them. */
function checkOptions(format: LiveFormat, options: LiveSourceOptions): void {
  const only: Array<[keyof LiveSourceOptions, string, LiveFormat]> = [
    ['token', '--token', 'protocol'],
    ['ttlLabels', '--ttl-labels', 'openephys'],
    ['unsorted', '--unsorted', 'openephys'],
    ['command', '--command', 'intan'],
    ['channels', '--channels', 'intan'],
    ['sampleRate', '--sample-rate', 'intan'],
  ];
  for (const [key, flag, owner] of only) {
    if (options[key] !== undefined && owner !== format) throw new UsageError(`${flag} applies to --format ${owner} only (this source is ${format})`);
  }
  if (format === 'intan') checkRhxOptions(options);
}

/** A live source for a URL: our WebSocket protocol, the Open Ephys Event Broadcaster (ZeroMQ) or the Intan RHX spike port (TCP). */
export async function openLiveSource(url: string, options: LiveSourceOptions): Promise<LiveSource> {
  const format = liveFormatOf(url, options.format);
  checkOptions(format, options);
  const reconnect = options.maxRetries === undefined ? {} : { maxAttempts: options.maxRetries };
  switch (format) {
    case 'protocol': {
      const { RigConnection } = await import('./ws/rigConnection.ts');
      return new RigConnection({ url, token: options.token, reconnect, limits: options.limits, onStatus: options.onStatus });
    }
    case 'openephys': {
      const { EventBroadcasterSource } = await import('./openephys-live/eventBroadcasterSource.ts');
      const address = new URL(url);
      return new EventBroadcasterSource({
        url: `tcp://${address.hostname}:${address.port === '' ? '5557' : address.port}`,
        ttlLabels: options.ttlLabels === undefined ? undefined : parseTtlLabels(options.ttlLabels),
        unsorted: options.unsorted,
        silenceSeconds: options.silenceSeconds,
        reconnect,
        onStatus: options.onStatus,
      });
    }
    case 'intan': {
      const { RhxSpikeSource } = await import('./intan/rhxSpikeSource.ts');
      return new RhxSpikeSource({
        url,
        command: options.command,
        channels: options.channels,
        sampleRate: options.sampleRate,
        silenceSeconds: options.silenceSeconds,
        reconnect,
        onStatus: options.onStatus,
      });
    }
  }
}
