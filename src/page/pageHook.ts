import type { PageState } from './dashboard.ts';
import type { ScaleKind } from './colormap.ts';
import type { OrderKind } from './matrixView.ts';
import type { PairSeries } from './pairSeries.ts';
import type { ServerMessage, UnitId } from './protocol.ts';

/**
 * The page's hook for tests and the benchmark, on `window.synergyPage`
 * (docs/PAGE.md): its state, where a pair's cell is, how long each matrix
 * redraw took, and a way to feed it messages without a server.
 */
export interface SynergyPageHook {
  state: PageState;
  /** Client coordinates of pair (a, b)'s cell (row a, column b) in the matrix canvas, after drawing what is pending at the layout's current width. */
  cellCenter(a: UnitId, b: UnitId): { x: number; y: number } | undefined;
  /** ms of each matrix redraw (the whole draw, putImageData included), the last 1,000. */
  redrawTimes: number[];
  /** A protocol message (object or JSON text), as if it came from the server. */
  feed(message: ServerMessage | string): void;
  /** A matrix frame, as if it came from the server. */
  feedMatrix(frame: ArrayBuffer): void;
  /** Redraws now what changed, instead of at the next animation frame. */
  flush(): void;
  select(a: UnitId, b: UnitId): void;
  setOrder(kind: OrderKind): void;
  /** The matrix's color scale: ± the largest |synergy| ('max', the default) or ± its 99th percentile ('p99'). */
  setScale(kind: ScaleKind): void;
  /** The selected pair's series as plotted, and the points in its plot. */
  selectedSeries(): PairSeries | undefined;
  plottedPoints(): number;
}

declare global {
  interface Window {
    synergyPage: SynergyPageHook;
  }
}

