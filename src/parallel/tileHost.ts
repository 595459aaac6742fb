import { TileAnalyzer } from '../engine/tileAnalyzer.ts';
import type { TileCommand, TileReply } from './tileMessages.ts';

/**
 * The tiles a worker holds, by analysis, and what it does with each command
 * (TileCommand): the same in a worker thread and in a Redis worker process.
 * An error in one analysis is answered for it and leaves the others be.
 */
export class TileHost {
  private readonly analyses = new Map<number, TileAnalyzer[]>();

  handle(command: TileCommand): TileReply {
    const { analysis } = command;
    try {
      switch (command.type) {
        case 'open':
          this.analyses.set(
            analysis,
            command.tiles.map(({ tile, rows }) => new TileAnalyzer(command.options, rows, tile)),
          );
          return { type: 'opened', analysis };
        case 'frame':
          return { type: 'emissions', analysis, emissions: this.tiles(analysis).map((tile) => tile.push(command.frame)) };
        case 'finish':
          return { type: 'emissions', analysis, emissions: this.tiles(analysis).map((tile) => tile.finish(command.endTime)) };
        case 'stats':
          return { type: 'stats', analysis, memoryBytes: this.tiles(analysis).map((tile) => tile.memoryBytes()) };
        case 'close':
          this.analyses.delete(analysis);
          return { type: 'closed', analysis };
      }
    } catch (error) {
      // The analysis cannot go on: its tiles are dropped, and the coordinator hears why.
      this.analyses.delete(analysis);
      const failure = error instanceof Error ? error : new Error(String(error));
      return { type: 'error', analysis, message: failure.message, stack: failure.stack };
    }
  }

  /** Analyses held. */
  get size(): number {
    return this.analyses.size;
  }

  private tiles(analysis: number): TileAnalyzer[] {
    const tiles = this.analyses.get(analysis);
    if (tiles === undefined) throw new Error(`internal: no tiles open for analysis ${analysis}`);
    return tiles;
  }
}
