// Resumable upload against the listening mock: disabled part-way, resumed on the same upload ID without a new Initiate;
// a new upload ID after an Abort between the runs (docs/protocol.md#cpp-sdk, observed C++ behaviour).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockEvent, type MockOssHandle } from '../mock-server/index.js';
import { crc64 } from '../protocol/crc64.js';
import { checkpointPath, readCheckpoint } from './checkpoint.js';
import { OssClient } from './client.js';
import { rejectionOf, until } from './test-support/raw-server.js';

const PART = 100 * 1024;
const PARTS = 12;
const SIZE = PART * (PARTS - 1) + 5000; // a short last part

let oss: MockOssHandle;
let dir: string;
let file: string;
let content: Buffer;
const clients: OssClient[] = [];

beforeAll(async () => {
  oss = await startMockOss();
  dir = await mkdtemp(join(tmpdir(), 'oss-resumable-'));
  file = join(dir, 'source.bin');
  content = randomBytes(SIZE);
  await writeFile(file, content);
});
afterEach(() => {
  oss.control.clearRules();
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await oss.close();
  await rm(dir, { recursive: true, force: true });
});

function clientFor(): OssClient {
  const c = new OssClient({
    endpoint: oss.endpoint,
    accessKeyId: oss.accessKeyId,
    accessKeySecret: oss.accessKeySecret,
    retry: { maxRetries: 0 },
  });
  clients.push(c);
  return c;
}

function events(since: number, bucket: string, type: MockEvent['type']): MockEvent[] {
  return oss.control.events(since).filter((e) => e.bucket === bucket && e.type === type);
}

/** Runs a throttled upload and disables the client once `stored` parts are on the server and two are in flight. */
async function interruptedRun(c: OssClient, bucket: string, checkpointDir: string, stored = 3): Promise<string> {
  const rule = oss.control.addRule({ match: { bucket, operation: 'UploadPart' }, ingestRate: 400 * 1024 });
  const since = oss.control.health().lastEventSeq;
  const run = c.resumableUpload({ bucket, key: 'obj', file, partSize: PART, parallel: 2, checkpointDir });
  await until(() => events(since, bucket, 'part.stored').length >= stored);
  await oss.control.wait({ match: { bucket, operation: 'UploadPart' }, minBytes: 1, count: 2, timeoutMs: 10_000 });
  c.disableRequests();
  const err = await rejectionOf(run);
  expect(err.code).toBe('ClientError:100002');
  oss.control.deleteRule(rule.id);
  const checkpoint = await readCheckpoint(checkpointPath(checkpointDir, { filePath: file, bucket, key: 'obj' }));
  expect(checkpoint).toMatchObject({ bucket, key: 'obj', size: SIZE, partSize: PART, filePath: file });
  return checkpoint!.uploadID;
}

describe('resumableUpload', () => {
  it('resumes a disabled upload on the same upload ID, uploading only the missing parts', async () => {
    const bucket = 'resume-same-id';
    const c = clientFor();
    await c.putBucket({ bucket });
    const checkpointDir = join(dir, 'cp-same');
    const uploadId = await interruptedRun(c, bucket, checkpointDir);
    c.enableRequests();
    const listed = await c.listAllParts({ bucket, key: 'obj', uploadId });
    const kept = listed.filter((p) => p.size === PART || p.partNumber === PARTS);
    expect(kept.length).toBeGreaterThanOrEqual(3);

    const since = oss.control.health().lastEventSeq;
    const result = await c.resumableUpload({ bucket, key: 'obj', file, partSize: PART, parallel: 2, checkpointDir });

    expect(events(since, bucket, 'upload.initiated')).toEqual([]);
    expect(events(since, bucket, 'upload.completed').map((e) => e.uploadId)).toEqual([uploadId]);
    const resent = events(since, bucket, 'part.stored').map((e) => e.partNumber);
    expect(resent.sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: PARTS }, (_, i) => i + 1).filter((n) => !kept.some((p) => p.partNumber === n)),
    );
    const probes = events(since, bucket, 'request.start').filter((e) => e.operation === 'ListParts');
    expect(probes.length).toBeGreaterThanOrEqual(2); // the max-parts=1 probe, then the full listing
    expect(result.crc64).toBe(await crc64(content));
    expect(result.etag).toMatch(new RegExp(`-${PARTS}$`));
    expect((await c.getObject({ bucket, key: 'obj' })).content.equals(content)).toBe(true);
    expect(await readdir(checkpointDir)).toEqual([]);
  });

  it('starts a new upload when the upload ID was aborted between the runs', async () => {
    const bucket = 'resume-after-abort';
    const c = clientFor();
    await c.putBucket({ bucket });
    const checkpointDir = join(dir, 'cp-abort');
    const first = await interruptedRun(c, bucket, checkpointDir);
    c.enableRequests();
    await c.abortMultipartUpload({ bucket, key: 'obj', uploadId: first });

    const since = oss.control.health().lastEventSeq;
    await c.resumableUpload({ bucket, key: 'obj', file, partSize: PART, parallel: 3, checkpointDir });
    const initiated = events(since, bucket, 'upload.initiated');
    expect(initiated).toHaveLength(1);
    expect(initiated[0]!.uploadId).not.toBe(first);
    expect(events(since, bucket, 'part.stored')).toHaveLength(PARTS);
    expect((await c.getObject({ bucket, key: 'obj' })).content.equals(content)).toBe(true);
  });

  it('starts afresh when the file changed since the checkpoint', async () => {
    const bucket = 'resume-changed-file';
    const c = clientFor();
    await c.putBucket({ bucket });
    const checkpointDir = join(dir, 'cp-changed');
    await interruptedRun(c, bucket, checkpointDir);
    c.enableRequests();
    const later = new Date(Date.now() + 60_000);
    await utimes(file, later, later);

    const since = oss.control.health().lastEventSeq;
    await c.resumableUpload({ bucket, key: 'obj', file, partSize: PART, parallel: 3, checkpointDir });
    expect(events(since, bucket, 'upload.initiated')).toHaveLength(1);
    expect(events(since, bucket, 'part.stored')).toHaveLength(PARTS);
  });

  it('sends a file no larger than one part as a single PutObject, without a checkpoint', async () => {
    const bucket = 'resume-small';
    const c = clientFor();
    await c.putBucket({ bucket });
    const small = join(dir, 'small.bin');
    await writeFile(small, 'small file');
    const checkpointDir = join(dir, 'cp-small');
    const since = oss.control.health().lastEventSeq;
    const result = await c.resumableUpload({ bucket, key: 'small', file: small, partSize: PART, checkpointDir });
    expect(result.crc64).toBe(await crc64('small file'));
    expect(events(since, bucket, 'request.start').map((e) => e.operation)).toEqual(['PutObject']);
    await expect(readdir(checkpointDir)).rejects.toThrow();
  });

  it('sends trafficLimit as x-oss-traffic-limit on every UploadPart', async () => {
    const bucket = 'resume-traffic';
    const c = clientFor();
    await c.putBucket({ bucket });
    const since = oss.control.health().lastEventSeq;
    // Below OSS's minimum of 819200 bit/s: the server refuses each part that carries it (InvalidArgument).
    const err = await rejectionOf(c.resumableUpload({ bucket, key: 'obj', file, partSize: PART, trafficLimit: 8 }));
    expect(err.code).toBe('InvalidArgument');
    const parts = events(since, bucket, 'request.end').filter((e) => e.operation === 'UploadPart');
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.every((e) => e.type === 'request.end' && e.code === 'InvalidArgument')).toBe(true);
    // In range, the upload goes through.
    const ok = await c.resumableUpload({ bucket, key: 'obj', file, partSize: PART, trafficLimit: 838860800 });
    expect(ok.crc64).toBe(await crc64(content));
  });

  it('rejects bad arguments with ValidateError', async () => {
    const c = clientFor();
    const base = { bucket: 'resume-args', key: 'k', file };
    expect((await rejectionOf(c.resumableUpload({ ...base, partSize: 1024 }))).code).toBe('ValidateError');
    expect((await rejectionOf(c.resumableUpload({ ...base, parallel: 0 }))).code).toBe('ValidateError');
    expect((await rejectionOf(c.resumableUpload({ ...base, file: join(dir, 'absent') }))).code).toBe('ValidateError');
  });
});
