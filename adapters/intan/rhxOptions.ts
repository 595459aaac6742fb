import { UsageError } from '../../src/errors.ts';

/** An RHX amplifier channel: a port letter A–H, "-", three digits. */
const CHANNEL_NAME = /^[A-H]-\d{3}$/;

/** What `connect --format intan` is given, checked once here for the CLI and the source alike. */
export interface RhxOptions {
  command?: string;
  channels?: readonly string[];
  sampleRate?: number;
}

/** Throws a UsageError for options the RHX source cannot work with; returns the channel names, upper case. */
export function checkRhxOptions(options: RhxOptions): string[] {
  const channels = (options.channels ?? []).map((channel) => channel.trim().toUpperCase());
  for (const channel of channels) {
    if (!CHANNEL_NAME.test(channel)) throw new UsageError(`--channels: "${channel}" is not an RHX amplifier channel name (a port letter A–H, "-", three digits: A-000)`);
  }
  if (options.sampleRate !== undefined && !(options.sampleRate > 0 && Number.isFinite(options.sampleRate))) {
    throw new UsageError(`--sample-rate must be a rate > 0 in Hz, got ${options.sampleRate}`);
  }
  if (options.command === undefined && channels.length > 0) {
    throw new UsageError(
      '--channels needs --command HOST:5000: --channels enables spike output through the command port: give --command HOST:5000 too, or leave out --channels and enable spike output in RHX (Network → Remote TCP Control → Data Output, type SPK)',
    );
  }
  if (options.command === undefined && options.sampleRate === undefined) {
    throw new UsageError(
      '--format intan needs the sample rate: give --sample-rate HZ, or --command HOST:5000 so that it is asked from RHX (its spike records carry sample indices, not seconds; RHX shows the rate as Sample Rate in its Configure tab)',
    );
  }
  return channels;
}

/**
 * Channel names from `--channels`: a comma-separated list, where `A-000..A-015`
 * stands for every channel of port A from 0 to 15.
 */
export function parseChannelList(text: string): string[] {
  const channels: string[] = [];
  for (const entry of text.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const range = /^([A-H])-(\d{3})\.\.(?:([A-H])-)?(\d{3})$/i.exec(entry);
    if (range !== null) {
      const port = range[1].toUpperCase();
      if (range[3] !== undefined && range[3].toUpperCase() !== port) throw new UsageError(`--channels: a range stays on one port, got '${entry}'`);
      const [from, to] = [Number(range[2]), Number(range[4])];
      if (to < from) throw new UsageError(`--channels: range '${entry}' runs backwards`);
      for (let k = from; k <= to; k++) channels.push(`${port}-${String(k).padStart(3, '0')}`);
      continue;
    }
    if (!CHANNEL_NAME.test(entry.toUpperCase())) throw new UsageError(`--channels takes names such as A-000 (port A-H, three digits) or ranges A-000..A-015, got '${entry}'`);
    channels.push(entry.toUpperCase());
  }
  if (channels.length === 0) throw new UsageError('--channels is empty');
  return [...new Set(channels)];
}
