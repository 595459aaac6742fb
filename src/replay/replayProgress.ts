import { SingleBar } from 'cli-progress';

/**
 * The replay's progress bar on a terminal (stderr): share of the recording
 * read, recording time reached, spikes per second of wall time and ETA.
 * Off a terminal it prints nothing at all (no control characters in logs).
 */
export class ReplayProgress {
  private readonly bar: SingleBar | undefined;
  private readonly startedMs = performance.now();
  private lastDrawMs = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    enabled = stream.isTTY === true,
  ) {
    if (!enabled) return;
    this.bar = new SingleBar(
      {
        stream,
        format: ' {bar} {percentage}% | recording {recording} s | {rate} spikes/s | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 10,
      },
      undefined,
    );
    this.bar.start(1000, 0, { recording: '0.0', rate: '0' });
  }

  /** `fraction` 0–1 of the recording read, `recordingSeconds` the latest event time, `spikes` so far. */
  update(fraction: number, recordingSeconds: number, spikes: number): void {
    if (this.bar === undefined) return;
    const nowMs = performance.now();
    if (nowMs - this.lastDrawMs < 100) return;
    this.lastDrawMs = nowMs;
    const elapsed = (nowMs - this.startedMs) / 1000;
    this.bar.update(Math.round(Math.min(1, fraction) * 1000), {
      recording: recordingSeconds.toFixed(1),
      rate: elapsed > 0 ? Math.round(spikes / elapsed).toLocaleString('en-US') : '0',
    });
  }

  /** Clears the bar's line so that a line (an alert) can be written on the same terminal; the next update draws the bar again below it. */
  clearLine(): void {
    if (this.bar !== undefined) this.stream.write('\r\x1b[2K');
  }

  stop(): void {
    this.bar?.stop();
  }
}
