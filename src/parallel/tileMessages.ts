import type { AnalysisOptions } from '../stream/options.ts';
import type { TileEmission, TileFrame, TileRows } from '../engine/tiles.ts';

/**
 * Messages between the coordinator and a tile worker (a worker thread here;
 * the same commands travel on Redis streams to worker processes). A worker
 * hosts tiles of any number of analyses, each opened with its options and
 * its tiles; frames and the end reach every tile of the analysis in order,
 * and every command is answered in order with the emissions that became due
 * (one list per tile, in the order the tiles were opened).
 */
export type TileCommand =
  | { type: 'open'; analysis: number; options: AnalysisOptions; tiles: { tile: number; rows: TileRows }[] }
  | { type: 'frame'; analysis: number; frame: TileFrame }
  | { type: 'finish'; analysis: number; endTime: number }
  | { type: 'close'; analysis: number }
  | { type: 'stats'; analysis: number };

export type TileReply =
  | { type: 'emissions'; analysis: number; emissions: TileEmission[][] }
  | { type: 'opened' | 'closed'; analysis: number }
  /** Bytes each tile holds (TileAnalyzer.memoryBytes), in the order opened. */
  | { type: 'stats'; analysis: number; memoryBytes: number[] }
  | { type: 'error'; analysis: number; message: string; stack?: string };

/** TileRows as messages carry them: Infinity is not JSON, so an open end travels as null. */
export interface WireRows {
  first: number;
  end: number | null;
}

export function toWireRows(rows: TileRows): WireRows {
  return { first: rows.first, end: Number.isFinite(rows.end) ? rows.end : null };
}

export function fromWireRows(rows: WireRows): TileRows {
  return { first: rows.first, end: rows.end ?? Infinity };
}
