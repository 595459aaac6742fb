import { cssColor, matrixScale, type ScaleKind } from './colormap.ts';
import { contentWidth, el, formatBits, formatP, measureWidthNow, panel, sizeCanvas } from './dom.ts';
import { fillMatrixPixels, type PairMatrix } from './pairMatrix.ts';
import { pairKey, type PairRecord, type UnitId } from './protocol.ts';
import { greedyChainOrder } from './seriation.ts';
import { carryOrder, orderById, orderByRegion, rowsOf, type UnitOrder } from './unitOrder.ts';

export type OrderKind = 'id' | 'region' | 'cluster';

/** Redraw times kept for the hook (ms). */
const REDRAW_TIMES_KEPT = 1000;
/** The canvas's largest side, CSS pixels. */
const MAX_SIDE = 720;

/**
 * The pair matrix panel: every pair's synergy as one cell of a U × U image
 * (ImageData at one pixel a cell, scaled onto the canvas without smoothing:
 * no object per pair, so 1,024 units are 523,776 pairs in one pass),
 * diverging colors on a symmetric scale from a robust max of |synergy|,
 * family-wise significant pairs outlined, the selected pair marked, regions
 * separated and named. Hover shows a pair's numbers; a click selects it.
 */
export class MatrixView {
  readonly element: HTMLElement;
  readonly redrawTimes: number[] = [];
  private readonly canvas = el('canvas', { class: 'matrix-canvas' });
  private readonly image = document.createElement('canvas');
  private imageData: ImageData | undefined;
  private pixels: Uint32Array | undefined;
  /** The significant cells of the last fill (row, column pairs), reused. */
  private marked: Int32Array = new Int32Array(1024);
  private readonly tooltip = el('div', { class: 'tooltip' });
  private readonly legend = el('div', { class: 'matrix-legend' });
  private readonly note = el('div', { class: 'matrix-note' });
  private readonly orderSelect = el('select', { title: 'row and column order', class: 'order-select' });
  private readonly reclusterButton = el('button', { text: 're-cluster', title: 'order again by the current synergy' });
  private readonly scaleSelect = el('select', { title: 'the symmetric color scale', class: 'scale-select' });
  scaleKind: ScaleKind = 'max';
  private matrix: PairMatrix | undefined;
  private orderKind: OrderKind = 'id';
  private unitOrder: UnitOrder = orderById(0);
  private rowOf: Int32Array = new Int32Array(0);
  private orderedUnits: readonly UnitId[] = [];
  private groupUnits: Record<string, UnitId[]> | undefined;
  private scaleBits = 1e-3;
  /** Geometry of the last draw, CSS pixels: the matrix's top-left corner in the canvas and a cell's side. */
  private origin = 0;
  private cell = 1;
  private topPairs = new Map<string, PairRecord>();
  selected: { a: UnitId; b: UnitId } | null = null;

  constructor(
    private readonly onSelect: (a: UnitId, b: UnitId) => void,
    /** Why only the top list is known, when no frames arrive. */
    private readonly fallbackReason: () => string,
    private readonly onOrder: (kind: OrderKind) => void = () => {},
  ) {
    const { element, body } = panel('Pair matrix: synergy (bits)', 'matrix-panel');
    this.element = element;
    for (const [value, label] of [['id', 'by unit id'], ['region', 'by region'], ['cluster', 'by clustering']] as const) {
      const option = el('option', { text: label });
      option.value = value;
      this.orderSelect.append(option);
    }
    this.orderSelect.addEventListener('change', () => this.setOrder(this.orderSelect.value as OrderKind));
    this.reclusterButton.addEventListener('click', () => this.setOrder('cluster', true));
    for (const [value, label] of [['max', '± largest |synergy|'], ['p99', '± 99th percentile']] as const) {
      const option = el('option', { text: label });
      option.value = value;
      this.scaleSelect.append(option);
    }
    this.scaleSelect.addEventListener('change', () => this.setScale(this.scaleSelect.value as ScaleKind));
    const controls = el('div', { class: 'matrix-controls' }, el('label', { text: 'order ' }, this.orderSelect), this.reclusterButton, el('label', { text: ' scale ' }, this.scaleSelect));
    body.append(controls, el('div', { class: 'matrix-wrap' }, this.canvas), this.legend, this.note);
    document.body.append(this.tooltip);
    this.canvas.addEventListener('mousemove', (event) => this.hover(event));
    this.canvas.addEventListener('mouseleave', () => (this.tooltip.style.display = 'none'));
    this.canvas.addEventListener('click', (event) => {
      const pair = this.pairAt(event.clientX, event.clientY);
      if (pair !== undefined) this.onSelect(pair.a, pair.b);
    });
    this.updateOrderOptions();
  }

  get order(): OrderKind {
    return this.orderKind;
  }

  /** The scale of the last draw, bits (the top pairs' swatches use it too). */
  get scale(): number {
    return this.scaleBits;
  }

  /** Chooses the color scale and draws again. */
  setScale(kind: ScaleKind): void {
    this.scaleKind = kind;
    this.scaleSelect.value = kind;
    this.draw();
  }

  /** The latest matrix (from a frame, or built from the top list). */
  setMatrix(matrix: PairMatrix, topPairs: readonly PairRecord[]): void {
    this.matrix = matrix;
    this.topPairs = new Map(topPairs.map((pair) => [pairKey(pair.a, pair.b), pair]));
    if (!sameIds(matrix.units, this.orderedUnits)) this.reorder(false);
  }

  /** Named groups of unit ids (the run header's groupUnits): the region order becomes available. */
  setGroups(groupUnits: Record<string, UnitId[]> | undefined): void {
    this.groupUnits = groupUnits !== undefined && Object.keys(groupUnits).length > 0 ? groupUnits : undefined;
    this.updateOrderOptions();
    if (this.orderKind === 'region') this.reorder(true);
  }

  /** Chooses the order; clustering is computed now (and again with `again`), never per frame. */
  setOrder(kind: OrderKind, again = false): void {
    if (kind === 'region' && this.groupUnits === undefined) kind = 'id';
    const changed = kind !== this.orderKind;
    this.orderKind = kind;
    this.orderSelect.value = kind;
    this.reclusterButton.disabled = kind !== 'cluster';
    if (changed || again) this.reorder(true);
    this.draw();
    this.onOrder(kind);
  }

  /** Draws the matrix now; the time of the whole draw, putImageData included, goes to redrawTimes. */
  draw(): void {
    const started = performance.now();
    const matrix = this.matrix;
    const width = Math.max(240, Math.min(MAX_SIDE, contentWidth(this.element, MAX_SIDE)));
    const regions = this.unitOrder.regions;
    this.origin = regions.length > 0 ? 64 : 0;
    const side = width - this.origin;
    const context = sizeCanvas(this.canvas, width, width);
    context.clearRect(0, 0, width, width);
    if (matrix === undefined || matrix.units.length < 2) {
      context.fillStyle = '#888';
      context.font = '13px system-ui, sans-serif';
      context.fillText('waiting for the first update…', 12, 24);
      this.updateLegend();
      return;
    }
    const units = matrix.units.length;
    this.cell = side / units;
    this.scaleBits = matrixScale(matrix.synergy, this.scaleKind);
    if (this.image.width !== units || this.image.height !== units || this.imageData === undefined) {
      this.image.width = units;
      this.image.height = units;
      this.imageData = new ImageData(units, units);
      this.pixels = new Uint32Array(this.imageData.data.buffer);
    }
    const { marked, count } = fillMatrixPixels(matrix, this.rowOf, this.scaleBits, this.pixels!, this.marked);
    this.marked = marked;
    this.image.getContext('2d')!.putImageData(this.imageData, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(this.image, 0, 0, units, units, this.origin, this.origin, side, side);
    this.drawSignificant(context, marked, count);
    this.drawRegions(context, side);
    this.drawSelected(context, side);
    this.redrawTimes.push(performance.now() - started);
    if (this.redrawTimes.length > REDRAW_TIMES_KEPT) this.redrawTimes.splice(0, this.redrawTimes.length - REDRAW_TIMES_KEPT);
    this.updateLegend();
  }

  /**
   * Draws again now if the panel's width has changed since the last draw and
   * the ResizeObserver has not said so yet (a scrollbar that just appeared):
   * then cellCenter gives where the cell is on screen and stays.
   */
  settle(): void {
    if (measureWidthNow(this.element)) this.draw();
  }

  /** Client coordinates of the centre of pair (a, b)'s cell (row a, column b), or undefined when the pair is not shown. */
  cellCenter(a: UnitId, b: UnitId): { x: number; y: number } | undefined {
    const matrix = this.matrix;
    if (matrix === undefined) return undefined;
    const i = matrix.indexOf.get(String(a));
    const j = matrix.indexOf.get(String(b));
    if (i === undefined || j === undefined) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + this.origin + (this.rowOf[j] + 0.5) * this.cell, y: rect.top + this.origin + (this.rowOf[i] + 0.5) * this.cell };
  }

  private reorder(recompute: boolean): void {
    const matrix = this.matrix;
    if (matrix === undefined) return;
    const units = matrix.units;
    if (this.orderKind === 'region' && this.groupUnits !== undefined) this.unitOrder = orderByRegion(units, this.groupUnits);
    else if (this.orderKind === 'cluster') {
      // A new unit keeps the clustering of the others; only choosing the order (or re-cluster) computes it again.
      const order = recompute || this.orderedUnits.length === 0 ? greedyChainOrder(units.length, matrix.synergy) : carryOrder(this.orderedUnits, this.unitOrder.order, units);
      this.unitOrder = { order, regions: [] };
    } else this.unitOrder = orderById(units.length);
    this.rowOf = rowsOf(this.unitOrder.order);
    this.orderedUnits = units;
  }

  private updateOrderOptions(): void {
    const region = [...this.orderSelect.options].find((option) => option.value === 'region');
    if (region !== undefined) {
      region.disabled = this.groupUnits === undefined;
      region.title = this.groupUnits === undefined ? 'the run names no groups of units' : '';
    }
    this.reclusterButton.disabled = this.orderKind !== 'cluster';
  }

  /** Significant pairs outlined: a dark square around each of the pair's two cells, at least 5 px wide, so that it shows at 1,024 units too. */
  private drawSignificant(context: CanvasRenderingContext2D, marked: Int32Array, count: number): void {
    if (count === 0) return;
    const cell = this.cell;
    const size = Math.max(5, cell - 2);
    const offset = this.origin + (cell - size) / 2;
    context.beginPath();
    for (let m = 0; m < count; m++) {
      const [row, column] = [marked[2 * m], marked[2 * m + 1]];
      context.rect(offset + column * cell, offset + row * cell, size, size);
      context.rect(offset + row * cell, offset + column * cell, size, size);
    }
    context.lineWidth = cell >= 12 ? 2 : 1;
    context.strokeStyle = 'rgba(20, 20, 20, 0.9)';
    context.stroke();
  }

  private drawRegions(context: CanvasRenderingContext2D, side: number): void {
    const regions = this.unitOrder.regions;
    if (regions.length === 0) return;
    context.strokeStyle = '#333';
    context.lineWidth = 1;
    context.beginPath();
    for (const region of regions.slice(1)) {
      const at = this.origin + region.start * this.cell;
      context.moveTo(this.origin, at);
      context.lineTo(this.origin + side, at);
      context.moveTo(at, this.origin);
      context.lineTo(at, this.origin + side);
    }
    context.stroke();
    context.fillStyle = '#222';
    context.font = '11px system-ui, sans-serif';
    context.textBaseline = 'middle';
    for (const region of regions) {
      const middle = this.origin + ((region.start + region.end) / 2) * this.cell;
      const span = (region.end - region.start) * this.cell;
      context.textAlign = 'right';
      context.fillText(region.name, this.origin - 4, middle, this.origin - 6);
      context.textAlign = 'center';
      context.fillText(region.name, middle, this.origin / 2, Math.max(8, span - 2));
    }
    context.textAlign = 'start';
  }

  private drawSelected(context: CanvasRenderingContext2D, side: number): void {
    const selected = this.selected;
    const matrix = this.matrix;
    if (selected === null || matrix === undefined) return;
    const i = matrix.indexOf.get(String(selected.a));
    const j = matrix.indexOf.get(String(selected.b));
    if (i === undefined || j === undefined) return;
    const [ri, rj] = [this.rowOf[i], this.rowOf[j]];
    const cell = this.cell;
    // Faint guides along the pair's row and column, leaving its own cell its color, then a bright square around both of its cells.
    const o = this.origin;
    context.fillStyle = 'rgba(255, 176, 0, 0.12)';
    context.fillRect(o, o + ri * cell, rj * cell, cell);
    context.fillRect(o + (rj + 1) * cell, o + ri * cell, side - (rj + 1) * cell, cell);
    context.fillRect(o + rj * cell, o, cell, ri * cell);
    context.fillRect(o + rj * cell, o + (ri + 1) * cell, cell, side - (ri + 1) * cell);
    const size = Math.max(9, cell + 2);
    const offset = (cell - size) / 2;
    context.lineWidth = 2.5;
    context.strokeStyle = '#ffb000';
    context.strokeRect(this.origin + rj * cell + offset, this.origin + ri * cell + offset, size, size);
    context.strokeRect(this.origin + ri * cell + offset, this.origin + rj * cell + offset, size, size);
  }

  private updateLegend(): void {
    const scale = this.scaleBits;
    const steps = [-1, -0.5, 0, 0.5, 1].map((x) => cssColor(x * scale, scale));
    const bar = el('span', { class: 'legend-bar', title: this.scaleKind === 'max' ? 'symmetric scale: ± the largest |synergy|' : 'symmetric scale: ± the 99th percentile of |synergy| (pairs beyond it at full color)' });
    bar.style.background = `linear-gradient(to right, ${steps.join(', ')})`;
    this.legend.replaceChildren(
      el('span', { text: `${formatBits(-scale)} bits`, class: 'legend-end' }),
      bar,
      el('span', { text: `${formatBits(scale)} bits`, class: 'legend-end' }),
      el('span', { class: 'legend-words', text: ' redundancy · 0 · synergy;  ' }),
      el('span', { class: 'legend-significant', text: '□' }),
      el('span', { class: 'legend-words', text: ' family-wise significant' }),
    );
    const matrix = this.matrix;
    if (matrix !== undefined && !matrix.complete) {
      this.note.textContent = `Only the top ${this.topPairs.size} pairs are known (${this.fallbackReason()}): the other cells are left neutral (gray).`;
      this.note.style.display = '';
    } else this.note.style.display = 'none';
  }

  private pairAt(clientX: number, clientY: number): { a: UnitId; b: UnitId; row: number; column: number } | undefined {
    const matrix = this.matrix;
    if (matrix === undefined) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    const row = Math.floor((clientY - rect.top - this.origin) / this.cell);
    const column = Math.floor((clientX - rect.left - this.origin) / this.cell);
    const units = matrix.units.length;
    if (row < 0 || column < 0 || row >= units || column >= units || row === column) return undefined;
    const [i, j] = [this.unitOrder.order[row], this.unitOrder.order[column]];
    const [a, b] = i < j ? [matrix.units[i], matrix.units[j]] : [matrix.units[j], matrix.units[i]];
    return { a, b, row, column };
  }

  private hover(event: MouseEvent): void {
    const pair = this.pairAt(event.clientX, event.clientY);
    const matrix = this.matrix;
    if (pair === undefined || matrix === undefined) {
      this.tooltip.style.display = 'none';
      return;
    }
    const value = matrix.valueOf(pair.a, pair.b)!;
    const record = this.topPairs.get(pairKey(pair.a, pair.b));
    const lines = [`units ${pair.a} – ${pair.b}`, `synergy ${Number.isNaN(value.synergy) ? 'not known (not in the top list)' : `${formatBits(value.synergy)} bits`}`, `significant: ${value.significant ? 'yes (p_fwer ≤ α)' : 'no'}`];
    if (record !== undefined) {
      lines.push(`joint ${formatBits(record.joint)} · I(a) ${formatBits(record.ia)} · I(b) ${formatBits(record.ib)} bits`, `p ${formatP(record.p)} · p_fwer ${formatP(record.p_fwer)}`);
    }
    this.tooltip.replaceChildren(...lines.map((line) => el('div', { text: line })));
    this.tooltip.style.display = 'block';
    this.tooltip.style.left = `${event.clientX + 14}px`;
    this.tooltip.style.top = `${event.clientY + 14}px`;
  }
}

function sameIds(x: readonly UnitId[], y: readonly UnitId[]): boolean {
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
