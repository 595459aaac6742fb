import { parentPort } from 'node:worker_threads';
import { TileHost } from './tileHost.ts';
import type { TileCommand } from './tileMessages.ts';

/**
 * A tile worker thread: commands from the coordinator (TileWorkerPool) in
 * order, each answered in order. Frames arrive on SharedArrayBuffers the
 * coordinator wrote once for every worker; the tiles copy what their window
 * keeps.
 */
if (parentPort === null) throw new Error('tileWorker.ts runs in a worker thread (TileWorkerPool starts it)');
const port = parentPort;
const host = new TileHost();
port.on('message', (command: TileCommand) => port.postMessage(host.handle(command)));
