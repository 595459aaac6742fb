import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Two cores here: keep the suite's parallelism modest.
    maxWorkers: 2,
  },
});
