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

/** One row's elements, kept and refilled at every update: a table of 50 rows, each with its own canvas, costs more to build than to draw. */
interface RowElements {
  row: HTMLTableRowElement;
  pair: HTMLTableCellElement;
  swatch: HTMLSpanElement;
  synergy: Text;
  joint: HTMLTableCellElement;
  pFwer: HTMLTableCellElement;
  spark: HTMLCanvasElement;
  marks: HTMLTableCellElement;
}

/**
 * The latest update's strongest pairs: synergy (colored on the matrix's
 * scale), joint, p_fwer, a sparkline of its synergy, and marks for a raised
 * alert and for what the run planted. A click selects the pair.
 */
export class TopPairsView {
  readonly element: HTMLElement;
  private readonly caption = el('div', { class: 'caption' });
  private readonly tbody = el('tbody');
  private readonly rows: RowElements[] = [];

  constructor(onSelect: (a: UnitId, b: UnitId) => void) {
    const { element, body } = panel('Top pairs', 'top-panel');
    this.element = element;
    const header = el('tr', null, ...['pair', 'synergy', 'joint', 'p_fwer', 'recent synergy', ''].map((text) => el('th', { text })));
    body.append(this.caption, el('table', { class: 'top-table' }, el('thead', null, header), this.tbody));
    this.tbody.addEventListener('click', (event) => {
      const row = (event.target as Element).closest('tr');
      const pair = row === null ? undefined : this.pairs.get(row);
      if (pair !== undefined) onSelect(pair.a, pair.b);
    });
  }

  private readonly pairs = new WeakMap<HTMLTableRowElement, PairRecord>();

  show(rows: TopPairRow[], t: number | undefined, selected: { a: UnitId; b: UnitId } | null, scaleBits: number): void {
    this.caption.textContent = t === undefined ? 'No update yet.' : `The update at t = ${t} s: its ${rows.length} strongest pairs by |synergy|.`;
    const selectedKey = selected === null ? '' : pairKey(selected.a, selected.b);
    while (this.rows.length < rows.length) this.rows.push(this.newRow());
    while (this.rows.length > rows.length) this.rows.pop()!.row.remove();
    rows.forEach((data, i) => {
      const { pair } = data;
      const row = this.rows[i];
      this.pairs.set(row.row, pair);
      row.row.className = pairKey(pair.a, pair.b) === selectedKey ? 'selected' : '';
      row.pair.textContent = `${pair.a} – ${pair.b}`;
      row.swatch.style.background = cssColor(pair.synergy, scaleBits);
      row.synergy.data = formatBits(pair.synergy);
      row.joint.textContent = formatBits(pair.joint);
      row.pFwer.textContent = formatP(pair.p_fwer);
      row.marks.replaceChildren(
        data.raised === undefined ? '' : el('span', { class: `mark alert-${data.raised.kind}`, text: '▲', title: `${data.raised.kind} alert raised at t = ${data.raised.t} s` }),
        data.planted === undefined ? '' : el('span', { class: 'mark planted', text: `planted ${data.planted}` }),
      );
      drawSparkline(row.spark, data.series.synergy);
    });
  }

  private newRow(): RowElements {
    const swatch = el('span', { class: 'swatch' });
    const synergy = document.createTextNode('');
    const [pair, joint, pFwer, marks] = [el('td'), el('td', { class: 'number' }), el('td', { class: 'number' }), el('td', { class: 'marks' })];
    const spark = el('canvas', { class: 'sparkline' });
    const row = el('tr', null, pair, el('td', { class: 'number' }, swatch, synergy), joint, pFwer, el('td', null, spark), marks);
    this.tbody.append(row);
    return { row, pair, swatch, synergy, joint, pFwer, spark, marks };
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
