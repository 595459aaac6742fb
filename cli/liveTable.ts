import type { AlertEvent } from '../src/alerts/alertEvent.ts';
import { alertLine } from '../src/alerts/alertEvent.ts';
import type { SynergyUpdate } from '../src/engine/synergyUpdate.ts';
import { unitPairKey } from '../src/stream/unitIds.ts';

/** What the live table shows. */
export interface LiveTableState {
  title: string[];
  update: SynergyUpdate | undefined;
  /** Most recent alerts, newest last. */
  alerts: AlertEvent[];
  /** Pairs with a raised alert, by unitPairKey ("3|11") → kind. */
  raised: Map<string, string>;
  /** Known planted pairs (unitPairKey → kind), shown beside the pairs (the demo knows its ground truth). */
  truth?: Map<string, string>;
  rows: number;
}

/** The table as lines: the strongest pairs of the latest update, then recent alerts. */
export function renderLiveTable(state: LiveTableState): string[] {
  const lines = [...state.title, ''];
  const update = state.update;
  if (update === undefined) {
    lines.push('waiting for the first update (the first hop of data)…');
  } else {
    const labels = Object.entries(update.labels)
      .map(([label, count]) => `${label} ${count}`)
      .join(', ');
    lines.push(
      `t = ${update.t.toFixed(1)} s   window [${update.window[0].toFixed(1)}, ${update.window[1].toFixed(1)}) s: ${update.samples} labeled bins (${labels || 'none'}), ${update.dropped.unlabeled} unlabeled   units ${update.units}, pairs ${update.pairsComputed}`,
    );
    lines.push('');
    const hasP = update.pairs.some((pair) => pair.p !== undefined);
    const header = ['pair'.padEnd(14), 'synergy'.padStart(9), hasP ? 'p'.padStart(6) : '', 'I(a,b;Y)'.padStart(9), 'I(a;Y)'.padStart(8), 'I(b;Y)'.padStart(8), '  alert'.padEnd(13), state.truth ? 'planted' : ''];
    lines.push(header.filter((cell) => cell !== '').join(' '));
    for (const pair of update.pairs.slice(0, state.rows)) {
      const key = unitPairKey(pair.a, pair.b);
      const cells = [
        `${pair.a} – ${pair.b}`.padEnd(14),
        `${pair.synergy >= 0 ? '+' : ''}${pair.synergy.toFixed(4)}`.padStart(9),
        hasP ? (pair.p === undefined ? '' : pair.p.toFixed(3)).padStart(6) : '',
        pair.joint.toFixed(4).padStart(9),
        pair.ia.toFixed(4).padStart(8),
        pair.ib.toFixed(4).padStart(8),
        `  ${state.raised.get(key) ?? ''}`.padEnd(13),
        state.truth ? (state.truth.get(key) ?? '') : '',
      ];
      lines.push(cells.filter((cell) => cell !== '').join(' ').trimEnd());
    }
    if (update.pairs.length === 0) lines.push('(no labeled bins in the window yet)');
  }
  lines.push('');
  lines.push('recent alerts:');
  if (state.alerts.length === 0) lines.push('  none yet');
  for (const alert of state.alerts) lines.push(`  ${alertLine(alert)}`);
  return lines;
}

/**
 * Redraws the table in place on a terminal (cursor up, clear to end), at
 * most `fps` times a second. Lines are cut to the terminal's width, so that
 * none wraps and the cursor goes back exactly over what was drawn. Off a
 * terminal it is not used (the caller prints plain lines instead).
 */
export class TerminalTable {
  private drawnLines = 0;
  private lastDrawMs = 0;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly render: () => string[],
    private readonly columns: () => number = () => process.stdout.columns ?? 80,
    private readonly fps = 10,
  ) {}

  draw(): void {
    const now = performance.now();
    const wait = 1000 / this.fps - (now - this.lastDrawMs);
    if (wait > 0) {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        this.draw();
      }, wait);
      return;
    }
    this.lastDrawMs = now;
    const width = Math.max(20, this.columns() - 1);
    const lines = this.render().map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : '';
    this.write(`${up}\x1b[J${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  stop(): void {
    clearTimeout(this.pending);
  }
}
