// The entry of a tile worker thread (worker_threads): tsx registers its loader
// in this thread, then the TypeScript worker module is imported. A plain
// JavaScript entry works however the parent was started (the CLI, tsx, the
// test runner).
import { register } from 'tsx/esm/api';

register();
await import(new URL('./tileWorker.ts', import.meta.url).href);
