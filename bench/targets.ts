// The servers a figure compares, started as children: the mock's CLI with each store, and the peers it is compared
// with.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_JS, PEER_JS, spawnServer, type ChildServer } from './children.js';
import { request } from './http-client.js';

export const TARGET_NAMES = {
  'mock-memory': 'oss-mock, memory store',
  'mock-file': 'oss-mock, file store',
  bare: 'bare node:http sink',
  md5crc: 'MD5+CRC-64 sink',
  'md5crc-keep': 'MD5+CRC-64 sink keeping the body',
  'md5crc-file': 'MD5+CRC-64 sink fsyncing the body to a file',
  express: 'minimal Express 5 app hashing MD5+CRC-64',
  s3rver: 's3rver 3.7.1',
} as const;
export type TargetKind = keyof typeof TARGET_NAMES;

export const BENCH_BUCKET = 'bench';

export interface Target extends ChildServer {
  kind: TargetKind;
  name: string;
  /** `${endpoint}/${bucket}/${key}` (path style: the mock and s3rver both take it on an IP endpoint) */
  objectUrl(key: string, query?: string): string;
}

/** Arguments for the mock's CLI: signatures off, since the load generators and the peers do not sign either. */
export function mockArgs(dataDir?: string, extra: readonly string[] = []): string[] {
  return ['--port', '0', '--auth', 'off', ...(dataDir === undefined ? [] : ['--data-dir', dataDir]), ...extra];
}

export async function startTarget(kind: TargetKind, scratch: string): Promise<Target> {
  const dir = ['mock-file', 's3rver', 'md5crc-file'].includes(kind)
    ? await mkdtemp(join(scratch, `${kind}-`))
    : undefined;
  const child =
    kind === 'mock-memory' || kind === 'mock-file'
      ? await spawnServer(CLI_JS, mockArgs(dir))
      : await spawnServer(PEER_JS, dir === undefined ? [kind] : [kind, '--dir', dir]);
  const target: Target = {
    ...child,
    kind,
    name: TARGET_NAMES[kind],
    objectUrl: (key, query) => `${child.endpoint}/${BENCH_BUCKET}/${key}${query === undefined ? '' : `?${query}`}`,
    stop: async () => {
      await child.stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
  if (kind === 'mock-memory' || kind === 'mock-file' || kind === 's3rver') {
    const made = await request(`${child.endpoint}/${BENCH_BUCKET}`, { method: 'PUT' });
    if (made.status !== 200) {
      await target.stop();
      throw new Error(`${target.name}: creating bucket answered ${made.status} ${made.body.toString()}`);
    }
  }
  return target;
}

/** Starts every kind at once (results in the given order), stopping the ones that came up if one fails. */
export async function startTargets(kinds: readonly TargetKind[], scratch: string): Promise<Target[]> {
  const settled = await Promise.allSettled(kinds.map((k) => startTarget(k, scratch)));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) {
    await stopAll(started);
    throw failed.reason;
  }
  return started;
}

export async function stopAll(targets: readonly Target[]): Promise<void> {
  await Promise.allSettled(targets.map((t) => t.stop()));
}

export function scratchDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'oss-mock-bench-'));
}
