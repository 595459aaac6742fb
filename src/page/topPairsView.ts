import { cssColor } from './colormap.ts';
import { el, formatBits, formatP, panel, sizeCanvas } from './dom.ts';
import type { PairSeries } from './pairSeries.ts';
import { pairKey, type AlertEvent, type PairRecord, type UnitId } from './protocol.ts';

export interface TopPairRow {
  pair: PairRecord;
  series: PairSeries;
  /** The pair's raised alert now, if any. */
  raised: AlertEvent | undefined;
  /** What was planted there (a simulated rig that says so), if anything. */
  planted: string | undefined;
}

/**
 * The latest update's strongest pairs: synergy (colored on the matrix's
 * scale), joint, p_fwer, a sparkline of its synergy, and marks for a raised
 * alert and for what the run planted. A click selects the pair.
 */
export class TopPairsView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly caption = el('div', { class: 'caption' });

  constructor(private readonly onSelect: (a: UnitId, b: UnitId) => void) {
    const { element, body } = panel('Top pairs', 'top-panel');
    this.element = element;
    this.body = body;
    body.append(this.caption);
  }

  show(rows: TopPairRow[], t: number | undefined, selected: { a: UnitId; b: UnitId } | null, scaleBits: number): void {
    this.caption.textContent = t === undefined ? 'No update yet.' : `The update at t = ${t} s: its ${rows.length} strongest pairs by |synergy|.`;
    const selectedKey = selected === null ? '' : pairKey(selected.a, selected.b);
    const header = el('tr', null, ...['pair', 'synergy', 'joint', 'p_fwer', 'recent synergy', ''].map((text) => el('th', { text })));
    const table = el('table', { class: 'top-table' }, el('thead', null, header));
    const tbody = el('tbody');
    for (const row of rows) {
      const { pair } = row;
      const swatch = el('span', { class: 'swatch' });
      swatch.style.background = cssColor(pair.synergy, scaleBits);
      const spark = el('canvas', { class: 'sparkline' });
      const marks = el('td', { class: 'marks' });
      if (row.raised !== undefined) marks.append(el('span', { class: `mark alert-${row.raised.kind}`, text: '▲', title: `${row.raised.kind} alert raised at t = ${row.raised.t} s` }));
      if (row.planted !== undefined) marks.append(el('span', { class: 'mark planted', text: `planted ${row.planted}` }));
      const tr = el(
        'tr',
        { class: pairKey(pair.a, pair.b) === selectedKey ? 'selected' : '' },
        el('td', { text: `${pair.a} – ${pair.b}` }),
        el('td', { class: 'number' }, swatch, formatBits(pair.synergy)),
        el('td', { class: 'number', text: formatBits(pair.joint) }),
        el('td', { class: 'number', text: formatP(pair.p_fwer) }),
        el('td', null, spark),
        marks,
      );
      tr.dataset.a = String(pair.a);
      tr.dataset.b = String(pair.b);
      tr.addEventListener('click', () => this.onSelect(pair.a, pair.b));
      tbody.append(tr);
      drawSparkline(spark, row.series.synergy);
    }
    table.append(tbody);
    this.body.replaceChildren(this.caption, table);
  }
}

/** A small line of the last points (nulls skipped), with the zero line; red above, blue below. */
export function drawSparkline(canvas: HTMLCanvasElement, values: (number | null)[], width = 96, height = 20): void {
  const context = sizeCanvas(canvas, width, height);
  context.clearRect(0, 0, width, height);
  const points = values.slice(-120);
  let bound = 1e-9;
  for (const value of points) if (value !== null) bound = Math.max(bound, Math.abs(value));
  const y = (value: number) => height / 2 - (value / bound) * (height / 2 - 2);
  context.strokeStyle = '#ccc';
  context.beginPath();
  context.moveTo(0, height / 2);
  context.lineTo(width, height / 2);
  context.stroke();
  let last = 0;
  for (const value of points) if (value !== null) last = value;
  context.strokeStyle = last < 0 ? '#2166ac' : '#b2182b';
  context.lineWidth = 1.5;
  context.beginPath();
  let drawing = false;
  points.forEach((value, i) => {
    const x = points.length === 1 ? width / 2 : (i / (points.length - 1)) * (width - 2) + 1;
    if (value === null) {
      drawing = false;
      return;
    }
    if (drawing) context.lineTo(x, y(value));
    else context.moveTo(x, y(value));
    drawing = true;
  });
  context.stroke();
}
