import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'protocol/**/*.test.ts',
      'mock-server/**/*.test.ts',
      'client/**/*.test.ts',
      'conformance/**/*.test.ts',
      'bench/**/*.test.ts',
      'reliability/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real listening servers on 127.0.0.1; the machine has 2 cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
