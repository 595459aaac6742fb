// The entry of a snapshot worker thread (worker_threads): tsx registers its
// loader in this thread, then the TypeScript worker module is imported (as
// src/parallel/tileWorkerEntry.mjs does for tiles).
import { register } from 'tsx/esm/api';

register();
await import(new URL('./snapshotWorker.ts', import.meta.url).href);
