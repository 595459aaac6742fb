import { redactRedisUrl } from '../src/cluster/redisConnection.ts';
import { VERSION } from '../src/version.ts';

/**
 * The first line of every JSONL output and part of the WebSocket welcome
 * (DESIGN §7): what produced the lines that follow, so that a file read
 * months later says how it was made. `options` holds every option of the
 * command as it ran, defaults included (tokens left out).
 */
export interface RunHeader {
  type: 'run';
  version: string;
  command: string;
  /** The recording's path, the rig's address, or the ingest endpoint. */
  source: string;
  /** The recording format, or the live protocol. */
  format: string;
  options: Record<string, unknown>;
  seed: number;
  /** When the run started (ISO 8601, UTC). */
  started: string;
}

/** Options that are secrets: never written down. */
const SECRET_OPTIONS = new Set(['token', 'tokenFile', 'serveToken', 'serveTokenFile']);

export function runHeader(command: string, source: string, format: string, flags: object, seed: number, started = new Date()): RunHeader {
  const options: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(flags)) {
    if (SECRET_OPTIONS.has(name) || value === undefined) continue;
    // A Redis URL may carry a password: written without it.
    if (name === 'cluster' && typeof value === 'string') {
      options[name] = redactRedisUrl(value);
      continue;
    }
    // JSON has no Infinity ("--speed max") or NaN: say them in words.
    options[name] = typeof value === 'number' && !Number.isFinite(value) ? (value > 0 ? 'max' : String(value)) : value;
  }
  return { type: 'run', version: VERSION, command, source, format, options, seed, started: started.toISOString() };
}
