import { Command } from 'commander';
import { describeLabelFile } from '../adapters/files/textRecording.ts';
import { openRecording } from '../adapters/openRecording.ts';
import type { RecordingDescription } from '../adapters/recording.ts';
import { addRecordingOptions, labelFileOptionsFrom, recordingOptionsFrom, type RecordingFlags } from './replayCommand.ts';
import type { CliIo } from './cliIo.ts';

interface InspectFlags extends RecordingFlags {
  json?: boolean;
  allUnits?: boolean;
}

export function inspectCommand(io: CliIo): Command {
  const command = new Command('inspect')
    .summary('show what a recording holds before replaying it')
    .description(
      `Prints what a recording holds, so you can choose options before a long
replay: its format, sample rate, units with their spike counts, the time span
of its spikes, where modes can come from (NWB interval columns and tags with
their values, Open Ephys TTL states, NEV digital input words, or a --labels
file) and anything to watch out for (unsorted times, excluded spans). NWB
units show their location when the file gives one (their own column, or
their electrodes'), and the notes list the columns --unit-filter can use.
A unit filter that keeps no unit stops with exit 1, naming the values
present.

Examples:
  synergy inspect session.nwb
  synergy inspect session.nwb --units-table processing/ecephys/units
  synergy inspect kilosort/ --units good
  synergy inspect kilosort/ --unit-filter KSLabel=good --unit-filter sh=0
  synergy inspect session.nev          (prints a --ttl-labels map to start from)
  synergy inspect "Record Node 101"    (TTL states per line)
  synergy inspect spikes.csv --labels labels.csv --json`,
    )
    .argument('<recording>', 'a spike file (.csv, .tsv, .jsonl), an NWB or NEV file, or a Phy / Open Ephys folder')
    .option('--json', 'print the description as one JSON object')
    .option('--all-units', 'list every unit (default: the first 40)');
  addRecordingOptions(command);
  return command.action(async (path: string, flags: InspectFlags) => {
    const recording = await openRecording(path, recordingOptionsFrom(flags));
    let description: RecordingDescription;
    try {
      description = await recording.describe();
    } finally {
      await recording.close();
    }
    if (flags.labels !== undefined) {
      const { skipBad, labelColumn } = labelFileOptionsFrom(flags);
      await describeLabelFile(description, flags.labels, skipBad, labelColumn);
    }
    io.stdout(flags.json ? `${JSON.stringify(description)}\n` : formatDescription(description, flags.allUnits ?? false));
  });
}

/** The human-readable description. */
export function formatDescription(d: RecordingDescription, allUnits: boolean): string {
  const lines: string[] = [];
  const spikes = d.units.reduce((sum, unit) => sum + unit.spikes, 0);
  lines.push(`${d.path}`);
  lines.push(`  format       ${d.format}${d.sampleRate === undefined ? '' : `, ${d.sampleRate} samples/s`}`);
  if (d.firstSpike !== null && d.lastSpike !== null) {
    lines.push(`  spikes       ${spikes} from ${d.firstSpike.toFixed(3)} s to ${d.lastSpike.toFixed(3)} s (${(d.lastSpike - d.firstSpike).toFixed(1)} s)`);
  } else {
    lines.push('  spikes       none');
  }
  lines.push(`  units        ${d.units.length}`);
  const shown = allUnits ? d.units : d.units.slice(0, 40);
  for (const unit of shown) {
    const details = Object.entries(unit)
      // An empty value (a unit without electrodes has no location) says nothing on a line.
      .filter(([key, value]) => key !== 'id' && key !== 'spikes' && value !== '')
      .map(([key, value]) => `${key} ${value}`)
      .join(', ');
    lines.push(`    ${unit.id.padEnd(14)} ${String(unit.spikes).padStart(9)} spikes${details === '' ? '' : `  (${details})`}`);
  }
  if (shown.length < d.units.length) lines.push(`    … ${d.units.length - shown.length} more (--all-units lists them)`);
  if (d.labelSources.length === 0) lines.push('  modes        none in the recording (give --labels FILE)');
  for (const source of d.labelSources) {
    lines.push(`  modes from   ${source.name}`);
    for (const value of source.values) {
      const seconds = value.seconds === undefined ? '' : `, ${value.seconds.toFixed(1)} s`;
      lines.push(`    ${value.label.padEnd(20)} ${value.count}${seconds}`);
    }
  }
  for (const note of d.notes) lines.push(`  note         ${note}`);
  return `${lines.join('\n')}\n`;
}
