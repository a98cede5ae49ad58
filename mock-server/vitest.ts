// oss-mock/vitest: one mock per test run. In vitest.config.ts, `test: { globalSetup: ['oss-mock/vitest'] }`; in a
// test, `const oss = ossMock()` gives its endpoint and credentials (through vitest's provide/inject) and
// `beforeEach(() => oss.reset())` empties it between tests.
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { startMock } from './index.js';
import { resetMock, type OssMockInfo } from './testing.js';

export type { OssMockInfo } from './testing.js';

declare module 'vitest' {
  export interface ProvidedContext {
    ossMock: OssMockInfo;
  }
}

/** The global setup: starts the mock, provides where it is, and stops it when the run ends. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mock = await startMock();
  const { endpoint, region, accessKeyId, accessKeySecret } = mock;
  project.provide('ossMock', { endpoint, region, accessKeyId, accessKeySecret });
  return () => mock.stop();
}

/** In a test file: the run's mock, and reset() to empty it (e.g. in beforeEach). */
export function ossMock(): OssMockInfo & { reset(): Promise<void> } {
  const info = inject('ossMock');
  return { ...info, reset: () => resetMock(info) };
}
