import { configDefaults, defineConfig } from 'vitest/config';

/**
 * What `npm run test:quick` (OSS_MOCK_QUICK=1) leaves to the complete `npm test`: the reliability runs, the
 * conformance scenario suites (run them with `npm run conformance`) and the bundled-bin test. Together they are
 * about two thirds of the run; the quick loop keeps every unit and integration test of the product.
 */
const SLOW_SUITES = [
  'reliability/**',
  'conformance/builtin.test.ts',
  'conformance/ali-oss.test.ts',
  'conformance/endpoint.test.ts',
  'conformance/process-driver.test.ts',
  'conformance/external.test.ts',
  'conformance/broken-target.test.ts',
  'conformance/sdk-drivers.test.ts',
  'conformance/cli.test.ts',
  'mock-server/bin.test.ts',
];

export default defineConfig({
  test: {
    include: [
      'protocol/**/*.test.ts',
      'mock-server/**/*.test.ts',
      'client/**/*.test.ts',
      'testkit/**/*.test.ts',
      'conformance/**/*.test.ts',
      'cli/**/*.test.ts',
      'bench/**/*.test.ts',
      'reliability/**/*.test.ts',
      'packaging/**/*.test.ts',
    ],
    exclude: process.env.OSS_MOCK_QUICK ? [...configDefaults.exclude, ...SLOW_SUITES] : configDefaults.exclude,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real listening servers on 127.0.0.1; the machine has 2 cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
