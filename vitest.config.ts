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

/**
 * Every SDK driver (Python, Go, Java) installed into the driver cache and run on a scenario subset: minutes on a cold
 * cache, so `npm test` leaves it to `npm run test:sdk-drivers` (which .ci/run runs after the full conformance matrix).
 */
const SDK_SUITES = process.env.OSS_CONFORMANCE_SDK_TESTS ? [] : ['conformance/sdk-drivers.test.ts'];

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
    exclude: [...configDefaults.exclude, ...SDK_SUITES, ...(process.env.OSS_MOCK_QUICK ? SLOW_SUITES : [])],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real listening servers on 127.0.0.1; the machine has 2 cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
