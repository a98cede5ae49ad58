// Shared by the storage tests: both stores behind one factory, bodies staged the way ingest/ stages them.

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import { crc64 } from '../../../protocol/crc64.js';
import { OssError } from '../../../protocol/errors.js';
import { FileStore, type FileStoreOptions } from '../file-store.js';
import { MemoryStore } from '../memory-store.js';
import type { BodyDigest, BucketInfo, ObjectHeaders, StagedBody, Store } from '../store.js';

export interface StoreKind {
  name: string;
  /** A fresh, unopened store and how to remove what it left. */
  make(options?: FileStoreOptions): Promise<{ store: Store; dir?: string; cleanup(): Promise<void> }>;
}

export const STORE_KINDS: StoreKind[] = [
  { name: 'MemoryStore', make: async () => ({ store: new MemoryStore(), cleanup: async () => {} }) },
  {
    name: 'FileStore',
    make: async (options) => {
      const dir = await mkdtemp(join(tmpdir(), 'oss-mock-store-'));
      return { store: new FileStore(dir, options), dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
];

export const BUCKET: Omit<BucketInfo, 'creationDate'> = {
  name: 'test-bucket',
  location: 'oss-cn-hangzhou',
  storageClass: 'Standard',
  acl: 'private',
  dataRedundancyType: 'LRS',
};

export const HEADERS: ObjectHeaders = {
  contentType: 'application/octet-stream',
  userMeta: {},
  storageClass: 'Standard',
};

export async function digestOf(data: Buffer): Promise<BodyDigest> {
  return { size: data.length, md5: createHash('md5').update(data).digest(), crc64: await crc64(data) };
}

/** A sealed body holding `data`, written in `pieces` chunks like a streamed request. */
export async function stage(store: Store, data: Buffer | string, pieces = 3): Promise<StagedBody> {
  const bytes = Buffer.from(data);
  const body = await store.createStagedBody();
  const step = Math.max(1, Math.ceil(bytes.length / pieces));
  for (let at = 0; at < bytes.length; at += step) await body.write(bytes.subarray(at, at + step));
  await body.seal(await digestOf(bytes));
  return body;
}

export async function put(store: Store, key: string, data: Buffer | string, bucket = BUCKET.name) {
  return store.putObject(bucket, key, await stage(store, data), HEADERS);
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function content(store: Store, key: string, bucket = BUCKET.name): Promise<string> {
  return (await readAll((await store.readObject(bucket, key)).body)).toString();
}

/** Deterministic bytes, distinct per seed. */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}

export async function expectOssError(
  promise: Promise<unknown>,
  code: string,
  more: { status?: number; ec?: string; extra?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<OssError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected OssError ${code}`).toBeInstanceOf(OssError);
  const oss = err as OssError;
  expect(oss.code).toBe(code);
  if (more.status !== undefined) expect(oss.status).toBe(more.status);
  if (more.ec !== undefined) expect(oss.ec).toBe(more.ec);
  if (more.extra) expect(oss.extra).toMatchObject(more.extra);
  if (more.headers) expect(oss.headers).toMatchObject(more.headers);
  return oss;
}

/** Buffer equality without vitest's element-by-element deep equality (slow on 100 KB parts). */
export function expectBytes(actual: Buffer, expected: Buffer): void {
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < Math.min(actual.length, expected.length) && actual[at] === expected[at]) at++;
  expect.fail(`bytes differ: lengths ${actual.length} vs ${expected.length}, first difference at ${at}`);
}
