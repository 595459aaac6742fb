import { AlertLog } from './alertLog.ts';
import { AlertsView } from './alertsView.ts';
import { matrixScale } from './colormap.ts';
import { el, onWidthChange } from './dom.ts';
import { MatrixFrameHistory } from './frameHistory.ts';
import { GroupsView } from './groupsView.ts';
import { HeaderView, type AnalysisSummary, type ConnectionState } from './headerView.ts';
import { HealthView } from './healthView.ts';
import { decodeMatrixFrame } from './matrixFrame.ts';
import { MatrixView, type OrderKind } from './matrixView.ts';
import { runGroupUnits } from './unitOrder.ts';
import { ModeTimeline } from './modeTimeline.ts';
import { PairMatrix } from './pairMatrix.ts';
import { PairRecordHistory } from './pairRecords.ts';
import { mergePairSeries, type PairSeries } from './pairSeries.ts';
import { PairView } from './pairView.ts';
import { compareUnitIds, pairKey, type AlertEvent, type EndMessage, type RunHeader, type ServerMessage, type SynergyUpdate, type UnitId } from './protocol.ts';
import { SourceHealth } from './sourceHealth.ts';
import { TimelineView } from './timelineView.ts';
import { TopPairsView } from './topPairsView.ts';

/** What the page holds of one source (`synergy serve` analyzes each source apart; the page shows one at a time). */
interface SourceModel {
  name: string | null;
  records: PairRecordHistory;
  timeline: ModeTimeline;
  latest: SynergyUpdate | undefined;
  /** The latest matrix frame's matrix. */
  matrix: PairMatrix | undefined;
  /** Ids seen in top lists: the units of the matrix built from them when no frames come. */
  unitIds: Map<string, UnitId>;
  conflated: number;
}

/** The page's state as the test hook shows it. */
export interface PageState {
  connected: boolean;
  /** Updates taken (history included; one already seen is not counted again). */
  updates: number;
  matrixFrames: number;
  /** Alerts in the feed. */
  alerts: number;
  ended: boolean;
  selected: { a: UnitId; b: UnitId } | null;
  source: string | null;
  order: OrderKind;
}

/** Points of a top pair's sparkline. */
const SPARKLINE_POINTS = 120;

type Part = 'header' | 'matrix' | 'pair' | 'top' | 'alerts' | 'timeline' | 'health' | 'groups';
const ALL_PARTS: Part[] = ['header', 'matrix', 'pair', 'top', 'alerts', 'timeline', 'health', 'groups'];

/**
 * The dashboard: takes the protocol's messages and matrix frames into the
 * models (pair records, recent frames, mode timeline, alert log, source
 * health) and redraws the parts they touched once per animation frame.
 */
export class Dashboard {
  readonly element: HTMLElement;
  readonly state: PageState = { connected: false, updates: 0, matrixFrames: 0, alerts: 0, ended: false, selected: null, source: null, order: 'id' };
  private run: RunHeader | null | undefined;
  private analysis: Record<string, unknown> = {};
  private readonly sources = new Map<string, SourceModel>();
  private current: string | undefined;
  /** Recent frames of the source shown: a pair's past at once when it is selected. */
  private readonly frames = new MatrixFrameHistory();
  private readonly alertLog = new AlertLog();
  private readonly health = new SourceHealth();
  private ended: EndMessage[] = [];
  private readonly dirty = new Set<Part>(ALL_PARTS);
  private scheduled = false;
  private readonly header = new HeaderView((source) => this.showSource(source));
  readonly matrixView = new MatrixView(
    (a, b) => this.select(a, b),
    () => this.fallbackReason(),
    (kind) => (this.state.order = kind),
  );
  readonly pairView = new PairView();
  private readonly topView = new TopPairsView((a, b) => this.select(a, b));
  private readonly alertsView = new AlertsView((a, b) => this.select(a, b));
  private readonly timelineView = new TimelineView();
  private readonly healthView = new HealthView();
  private readonly groupsView = new GroupsView();

  constructor() {
    this.element = el(
      'div',
      { class: 'dashboard' },
      this.header.element,
      el('div', { class: 'grid' }, el('div', { class: 'column' }, this.matrixView.element, this.timelineView.element), el('div', { class: 'column' }, this.pairView.element, this.topView.element)),
      el('div', { class: 'grid lower' }, el('div', { class: 'column' }, this.alertsView.element), el('div', { class: 'column' }, this.healthView.element, ...this.groupsView.elements)),
    );
    onWidthChange(() => {
      this.touch(...ALL_PARTS);
      this.schedule();
    });
    this.header.showConnection({ kind: 'connecting' });
  }

  /** One message of the protocol. */
  handle(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.welcome(message.run, message.analysis ?? {});
        break;
      case 'subscribed':
        break;
      case 'history':
        this.alertLog.replace(message.alerts ?? []);
        this.state.alerts = this.alertLog.length;
        for (const update of message.updates ?? []) this.update(update);
        for (const end of message.ended ?? []) this.end(end);
        this.touch('alerts', 'top', 'pair');
        break;
      case 'synergy':
        this.update(message);
        break;
      case 'alert':
        this.alert(message);
        break;
      case 'status':
        this.health.update(message);
        this.touch('health');
        break;
      case 'end':
        this.end(message);
        break;
      case 'error':
        this.header.showError(`the server refused a message: ${message.code}: ${message.message}`);
        break;
    }
    this.schedule();
  }

  /** One matrix frame (a binary message). */
  handleFrame(buffer: ArrayBuffer): void {
    let frame;
    try {
      frame = decodeMatrixFrame(buffer);
    } catch (error) {
      this.header.showError((error as Error).message);
      return;
    }
    this.state.matrixFrames++;
    const model = this.model(frame.header.source);
    model.timeline.addFrameModes(frame.header.modes);
    if (model.name === this.state.source) {
      this.frames.push(frame);
      model.matrix = PairMatrix.fromFrame(frame, this.frames.indexFor(frame.header.units));
      this.touch('matrix', 'pair', 'top', 'timeline');
    } else model.matrix = PairMatrix.fromFrame(frame);
    this.schedule();
  }

  connection(state: ConnectionState): void {
    this.state.connected = state.kind === 'connected';
    this.header.showConnection(state);
  }

  /** Selects a pair (either order). */
  select(a: UnitId, b: UnitId): void {
    this.state.selected = compareUnitIds(a, b) <= 0 ? { a, b } : { a: b, b: a };
    this.touch('matrix', 'pair', 'top');
    this.schedule();
  }

  setOrder(kind: OrderKind): void {
    this.matrixView.setOrder(kind, true);
  }

  /** The selected pair's series as plotted. */
  selectedSeries(): PairSeries | undefined {
    return this.pairView.series;
  }

  /** Redraws now what changed (the animation frame does the same). */
  flush(): void {
    this.scheduled = false;
    const model = this.currentModel();
    const latest = model?.latest;
    if (this.dirty.has('header')) {
      this.header.showRun(this.run, this.summary());
      this.header.showSources([...this.sources.values()].map((source) => source.name ?? ''), this.state.source);
      this.header.showEnded(this.ended);
    }
    if (this.dirty.has('matrix')) {
      const matrix = this.displayedMatrix(model);
      if (matrix !== undefined) this.matrixView.setMatrix(matrix, latest?.pairs ?? []);
      this.matrixView.selected = this.state.selected;
      this.matrixView.draw();
    }
    if (this.dirty.has('pair')) {
      const selected = this.state.selected;
      const series = selected === null || model === undefined ? undefined : this.pairSeries(model, selected.a, selected.b);
      const significant = selected === null ? undefined : this.displayedMatrix(model)?.valueOf(selected.a, selected.b)?.significant;
      const alerts = selected === null ? [] : this.alertLog.forPair(selected.a, selected.b, this.state.source);
      this.pairView.show(selected, series, alerts, this.alpha(), significant);
    }
    if (this.dirty.has('top') && model !== undefined) {
      const planted = new Map((this.run?.planted ?? []).map((pair) => [pairKey(pair.a, pair.b), pair.kind]));
      const rows = (latest?.pairs ?? []).map((pair) => ({
        pair,
        series: this.recentPairSeries(model, pair.a, pair.b),
        raised: this.alertLog.raisedFor(pair.a, pair.b, this.state.source),
        planted: planted.get(pairKey(pair.a, pair.b)),
      }));
      const scale = model.matrix !== undefined ? matrixScale(model.matrix.synergy, this.matrixView.scaleKind) : Math.max(1e-3, ...rows.map((row) => Math.abs(row.pair.synergy)));
      this.topView.show(rows, latest?.t, this.state.selected, scale);
    }
    if (this.dirty.has('alerts')) this.alertsView.show(this.alertLog.newestFirst(200), this.alertLog.length);
    if (this.dirty.has('timeline') && model !== undefined) this.timelineView.show(model.timeline);
    if (this.dirty.has('health')) this.healthView.show(this.health.rows, latest, model?.conflated ?? 0);
    if (this.dirty.has('groups')) this.groupsView.show(latest);
    this.dirty.clear();
  }

  private welcome(run: RunHeader | null | undefined, analysis: Record<string, unknown>): void {
    const sameRun = this.run !== undefined && run?.started === this.run?.started && run?.source === this.run?.source;
    // A server started again is another run: nothing of the old one stays.
    if (this.run !== undefined && !sameRun) this.reset();
    this.run = run;
    this.analysis = analysis;
    this.matrixView.setGroups(runGroupUnits(run));
    this.touch(...ALL_PARTS);
  }

  private update(update: SynergyUpdate): void {
    const model = this.model(update.source);
    // History and live overlap after a reconnect: an update already taken is not taken again.
    if (!model.records.add(update)) return;
    this.state.updates++;
    model.timeline.addUpdate(update, this.hopSeconds(model, update));
    if (model.latest === undefined || update.t >= model.latest.t) model.latest = update;
    for (const pair of update.pairs) {
      model.unitIds.set(String(pair.a), pair.a);
      model.unitIds.set(String(pair.b), pair.b);
    }
    model.conflated += update.conflated ?? 0;
    if (model.name === this.state.source) this.touch('matrix', 'pair', 'top', 'timeline', 'health', 'groups', 'header');
  }

  private alert(alert: AlertEvent): void {
    this.alertLog.add(alert);
    this.state.alerts = this.alertLog.length;
    this.touch('alerts', 'top', 'pair');
  }

  private end(end: EndMessage): void {
    if (!this.ended.some((seen) => seen.source === end.source)) this.ended.push(end);
    this.state.ended = true;
    this.touch('header');
  }

  private reset(): void {
    this.sources.clear();
    this.current = undefined;
    this.state.source = null;
    this.frames.clear();
    this.ended = [];
    this.state.ended = false;
    this.state.updates = 0;
    this.state.matrixFrames = 0;
  }

  /** The model of a source; the first source seen is the one shown. A message without a source belongs to the one shown. */
  private model(source: string | null | undefined): SourceModel {
    const name = source ?? (this.current !== undefined ? this.sources.get(this.current)!.name : null);
    const key = name ?? '';
    let model = this.sources.get(key);
    if (model === undefined) {
      model = { name, records: new PairRecordHistory(), timeline: new ModeTimeline(), latest: undefined, matrix: undefined, unitIds: new Map(), conflated: 0 };
      this.sources.set(key, model);
      this.touch('header');
    }
    if (this.current === undefined) {
      this.current = key;
      this.state.source = name;
    }
    return model;
  }

  private currentModel(): SourceModel | undefined {
    return this.current === undefined ? undefined : this.sources.get(this.current);
  }

  private showSource(source: string): void {
    if (!this.sources.has(source) || source === this.current) return;
    this.current = source;
    this.state.source = this.sources.get(source)!.name;
    // The recent frames are kept for the source shown only (one memory budget).
    this.frames.clear();
    this.touch(...ALL_PARTS);
    this.schedule();
  }

  private displayedMatrix(model: SourceModel | undefined): PairMatrix | undefined {
    if (model === undefined) return undefined;
    if (model.matrix !== undefined) return model.matrix;
    const latest = model.latest;
    if (latest === undefined) return undefined;
    return PairMatrix.fromPairs(model.unitIds.values(), latest.pairs, latest.t, model.name, latest.alpha ?? this.alpha());
  }

  private pairSeries(model: SourceModel, a: UnitId, b: UnitId): PairSeries {
    return mergePairSeries(model.records.series(a, b), this.frames.pairSeries(a, b));
  }

  /** A pair's last SPARKLINE_POINTS or so points: only those of its records and of the frames are read. */
  private recentPairSeries(model: SourceModel, a: UnitId, b: UnitId): PairSeries {
    const records = model.records.series(a, b);
    const frames = this.frames.pairSeries(a, b, SPARKLINE_POINTS);
    const recordsSince = records === undefined ? Infinity : (records.t[Math.max(0, records.t.length - SPARKLINE_POINTS)] ?? Infinity);
    return mergePairSeries(records, frames, Math.min(recordsSince, frames.t[0] ?? Infinity));
  }

  private hopSeconds(model: SourceModel, update: SynergyUpdate): number {
    const hop = this.numberOption('hop', 'hopSeconds');
    if (hop !== undefined) return hop;
    return model.latest !== undefined && update.t > model.latest.t ? update.t - model.latest.t : 1;
  }

  private alpha(): number | undefined {
    return this.currentModel()?.latest?.alpha ?? this.numberOption('alpha', 'alertAlpha');
  }

  /** An analysis setting from the welcome's `analysis`, else the run header's options (under either name). */
  private numberOption(...names: string[]): number | undefined {
    for (const source of [this.analysis, this.run?.options ?? {}]) {
      for (const name of names) if (typeof source[name] === 'number') return source[name] as number;
    }
    return undefined;
  }

  private summary(): AnalysisSummary {
    const options = { ...(this.run?.options ?? {}), ...this.analysis };
    return {
      bin: this.numberOption('bin', 'binSeconds'),
      window: this.numberOption('window', 'windowSeconds'),
      hop: this.numberOption('hop', 'hopSeconds'),
      estimator: typeof options.estimator === 'string' ? options.estimator : this.currentModel()?.latest?.estimator,
      surrogates: this.numberOption('surrogates'),
      alpha: this.alpha(),
    };
  }

  private fallbackReason(): string {
    const estimator = this.summary().estimator;
    return estimator === 'panzeri-treves' || estimator === 'shuffle' ? `the ${estimator} estimator sends no matrix frames` : 'no matrix frame has arrived';
  }

  private touch(...parts: Part[]): void {
    for (const part of parts) this.dirty.add(part);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      if (this.scheduled) this.flush();
    });
  }
}
