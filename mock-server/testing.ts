// What startMock() (index.ts) gives: one mock for a test run, in the shape every test runner can use (vitest's globalSetup in
// oss-mock/vitest, Jest's globalSetup/globalTeardown, node:test's before/after): where it listens, the credentials
// to sign with, reset() between tests and stop() at the end.

/** What a test needs to reach the mock; plain data, so it can cross to test worker processes. */
export interface OssMockInfo {
  /** e.g. `http://127.0.0.1:40123` */
  endpoint: string;
  /** `cn-hangzhou`; ali-oss takes `oss-cn-hangzhou` */
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface RunningMock extends OssMockInfo {
  /** drops every bucket, object, upload, rule and event */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Resets a mock started in another process (a runner's global setup) through the control API's POST /_mock/reset,
 * which answers loopback peers (README "Slowing, breaking and observing uploads").
 */
export async function resetMock(info: Pick<OssMockInfo, 'endpoint'>, controlToken?: string): Promise<void> {
  const res = await fetch(`${info.endpoint}/_mock/reset`, {
    method: 'POST',
    ...(controlToken === undefined ? {} : { headers: { authorization: `Bearer ${controlToken}` } }),
  });
  if (!res.ok) throw new Error(`POST ${info.endpoint}/_mock/reset answered ${res.status}: ${await res.text()}`);
}
