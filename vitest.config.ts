import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // fast-check from a fixed seed (FC_SEED to change): test/setup/fastCheck.ts.
    setupFiles: ['test/setup/fastCheck.ts'],
    testTimeout: 60_000,
    // Two cores here: keep the suite's parallelism modest.
    maxWorkers: 2,
  },
});
