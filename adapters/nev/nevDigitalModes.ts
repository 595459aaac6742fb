import type { LabelChange } from '../../src/stream/events.ts';
import { DIGITAL_PACKET_ID, REASON_DIGITAL_INPUT_CHANGED, REASON_SERIAL_INPUT } from './nevPackets.ts';
import type { NevPacketReader } from './nevPacketReader.ts';

/**
 * Modes from a NEV file's digital input: each digital input event (packet id
 * 0 with insertion reason bit 0 set and bit 7 clear: the parallel port
 * changed) carries the 16-bit input word, which `--ttl-labels` maps to a mode
 * ("1=left,2=right,0=": left from an event of word 1 on, a gap from word 0
 * on). A word the map does not name leaves the mode as it is and is counted.
 *
 * Emits a change only when the mode changes (a repeated word is no change),
 * in the order of the events, which is time order in a NEV file.
 */
export class DigitalInputModes {
  readonly changes: LabelChange[] = [];
  /** Events whose word is not in the map, in total and by word. */
  unmappedEvents = 0;
  readonly unmappedWords = new Map<number, number>();
  private current: string | null | undefined;

  constructor(private readonly modeOfWord: ReadonlyMap<number, string | null>) {}

  add(timeSeconds: number, word: number): void {
    const mode = this.modeOfWord.get(word);
    if (mode === undefined) {
      this.unmappedEvents++;
      this.unmappedWords.set(word, (this.unmappedWords.get(word) ?? 0) + 1);
      return;
    }
    if (mode === this.current) return;
    this.current = mode;
    this.changes.push({ kind: 'label', t: timeSeconds, label: mode });
  }
}

/** Whether an id-0 packet's insertion reason says the parallel digital input changed (not the serial port, not an analog or periodic sample). */
export function isDigitalInputChange(reason: number): boolean {
  return (reason & REASON_DIGITAL_INPUT_CHANGED) !== 0 && (reason & REASON_SERIAL_INPUT) === 0;
}

/** Calls `onDigitalInput(timeSeconds, word)` for each digital input event among packets [from, to), in file order. */
export async function scanDigitalInput(reader: NevPacketReader, from: number, to: number, onDigitalInput: (timeSeconds: number, word: number) => void): Promise<void> {
  const resolution = reader.header.timestampResolution;
  for await (const columns of reader.chunks(from, to)) {
    const { packetId, unitOrReason, ticks, digitalWord, count } = columns;
    for (let k = 0; k < count; k++) {
      if (packetId[k] === DIGITAL_PACKET_ID && isDigitalInputChange(unitOrReason[k])) onDigitalInput(ticks[k] / resolution, digitalWord[k]);
    }
  }
}
