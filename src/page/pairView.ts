import uPlot from 'uplot';
import { contentWidth, el, formatBits, formatP, formatSeconds, panel } from './dom.ts';
import type { PairSeries } from './pairSeries.ts';
import type { AlertEvent, UnitId } from './protocol.ts';

const COLORS = { synergy: '#c0392b', joint: '#333333', ia: '#2a7ab0', ib: '#59a14f', p: '#8e44ad', p_fwer: '#d35400' };

/**
 * The selected pair: its synergy, joint and single-unit information over
 * time (bits) and its p and p_fwer (log scale, with alpha), its alerts as
 * vertical lines — red raised synergy, blue raised redundancy, gray cleared.
 */
export class PairView {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly summary = el('div', { class: 'pair-summary' });
  private readonly bitsHolder = el('div', { class: 'plot' });
  private readonly pHolder = el('div', { class: 'plot' });
  private bitsPlot: uPlot | undefined;
  private pPlot: uPlot | undefined;
  private alerts: AlertEvent[] = [];
  private alpha: number | undefined;
  series: PairSeries | undefined;

  constructor() {
    const { element, body, heading } = panel('Selected pair', 'pair-panel');
    this.element = element;
    this.heading = heading;
    body.append(this.summary, this.bitsHolder, this.pHolder);
    this.summary.textContent = 'Click a cell of the matrix, a row of the top pairs or a pair alert.';
  }

  show(pair: { a: UnitId; b: UnitId } | null, series: PairSeries | undefined, alerts: AlertEvent[], alpha: number | undefined, significantNow: boolean | undefined): void {
    this.series = series;
    this.alerts = alerts;
    this.alpha = alpha;
    if (pair === null || series === undefined) {
      this.heading.textContent = 'Selected pair';
      return;
    }
    this.heading.textContent = `Selected pair: units ${pair.a} – ${pair.b}`;
    const last = series.t.length - 1;
    const latest = (values: (number | null)[]) => {
      for (let i = last; i >= 0; i--) if (values[i] !== null) return values[i];
      return null;
    };
    const raised = alerts.filter((alert) => alert.state === 'raised').length;
    this.summary.textContent = last < 0
      ? 'No values yet: the pair has been in no top list and no matrix frame.'
      : `t ${formatSeconds(series.t[last])}: synergy ${formatBits(latest(series.synergy))} · joint ${formatBits(latest(series.joint))} · I(a) ${formatBits(latest(series.ia))} · I(b) ${formatBits(latest(series.ib))} bits · p ${formatP(latest(series.p))} · p_fwer ${formatP(latest(series.p_fwer))}${significantNow === undefined ? '' : significantNow ? ' · significant' : ' · not significant'} · ${raised} alert${raised === 1 ? '' : 's'} raised`;
    const width = Math.max(280, contentWidth(this.element, 560));
    const x = series.t;
    const bitsData: uPlot.AlignedData = [x, series.synergy, series.joint, series.ia, series.ib];
    const pData: uPlot.AlignedData = [x, series.p, series.p_fwer];
    if (this.bitsPlot === undefined) {
      this.bitsPlot = new uPlot(this.bitsOptions(width), bitsData, this.bitsHolder);
      this.pPlot = new uPlot(this.pOptions(width), pData, this.pHolder);
    } else {
      if (this.bitsPlot.width !== width) {
        this.bitsPlot.setSize({ width, height: 200 });
        this.pPlot!.setSize({ width, height: 150 });
      }
      this.bitsPlot.setData(bitsData);
      this.pPlot!.setData(pData);
    }
  }

  /** Points plotted (the test hook's check that the series plot has data). */
  get points(): number {
    return this.bitsPlot?.data[0].length ?? 0;
  }

  private markAlerts = (plot: uPlot) => {
    const context = plot.ctx;
    const { top, height } = plot.bbox;
    context.save();
    context.lineWidth = 2 * uPlot.pxRatio;
    for (const alert of this.alerts) {
      const x = plot.valToPos(alert.t, 'x', true);
      if (!Number.isFinite(x)) continue;
      context.strokeStyle = alert.state === 'cleared' ? '#999' : alert.kind === 'redundancy' ? '#2166ac' : '#b2182b';
      context.setLineDash(alert.state === 'cleared' ? [4, 3] : []);
      context.beginPath();
      context.moveTo(x, top);
      context.lineTo(x, top + height);
      context.stroke();
    }
    context.restore();
  };

  private markAlpha = (plot: uPlot) => {
    if (this.alpha === undefined) return;
    const y = plot.valToPos(this.alpha, 'p', true);
    if (!Number.isFinite(y)) return;
    const context = plot.ctx;
    const { left, width } = plot.bbox;
    context.save();
    context.strokeStyle = '#555';
    context.setLineDash([5, 4]);
    context.beginPath();
    context.moveTo(left, y);
    context.lineTo(left + width, y);
    context.stroke();
    context.restore();
    this.markAlerts(plot);
  };

  private bitsOptions(width: number): uPlot.Options {
    return {
      width,
      height: 200,
      scales: { x: { time: false } },
      axes: [{ label: 't (s)' }, { label: 'bits', size: 60 }],
      series: [
        { label: 't' },
        { label: 'synergy', stroke: COLORS.synergy, width: 2, spanGaps: false, points: { show: true, size: 4 } },
        { label: 'joint', stroke: COLORS.joint, points: { show: false } },
        { label: 'I(a)', stroke: COLORS.ia, points: { show: false } },
        { label: 'I(b)', stroke: COLORS.ib, points: { show: false } },
      ],
      hooks: { draw: [this.markAlerts] },
    };
  }

  private pOptions(width: number): uPlot.Options {
    return {
      width,
      height: 150,
      scales: {
        x: { time: false },
        p: {
          distr: 3,
          range: (_plot, min) => [10 ** Math.floor(Math.log10(Math.min(Number.isFinite(min) && min > 0 ? min : 1, (this.alpha ?? 0.05) / 2))), 1],
        },
      },
      axes: [{ label: 't (s)' }, { label: 'p (log)', scale: 'p', size: 60 }],
      series: [
        { label: 't' },
        { label: 'p', stroke: COLORS.p, scale: 'p', points: { show: false } },
        { label: 'p_fwer', stroke: COLORS.p_fwer, scale: 'p', width: 2, points: { show: false } },
      ],
      hooks: { draw: [this.markAlpha] },
    };
  }
}
