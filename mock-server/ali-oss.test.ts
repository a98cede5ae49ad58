// ali-oss 6.23 (the Node SDK, unmodified) against a listening mock: V1 and V4 signatures, with an IP endpoint (bucket
// in the Host header, docs/protocol.md#ali-oss) and with `localhost` + `sldEnable` (bucket in the path).
import OSS from 'ali-oss';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from './index.js';
import { rejection } from '../testkit/rejection.js';

let mock: MockOssHandle;
let dir: string;
beforeAll(async () => {
  mock = await startMockOss();
  dir = await mkdtemp(join(tmpdir(), 'oss-mock-ali-'));
});
afterAll(async () => {
  await mock.close();
  await rm(dir, { recursive: true, force: true });
});

const SIGNATURES = [
  { sig: 'v1', authorizationV4: false },
  { sig: 'v4', authorizationV4: true },
] as const;
const ADDRESSING = [
  { addressing: 'ip', sld: false },
  { addressing: 'sld', sld: true },
] as const;
const MATRIX = SIGNATURES.flatMap((s) => ADDRESSING.map((a) => ({ ...s, ...a })));

/** ali-oss's error objects carry name/code/status/requestId (docs/protocol.md#ali-oss). */
function clientFor(o: (typeof MATRIX)[number], bucket: string): OSS {
  return new OSS({
    endpoint: o.sld ? `http://localhost:${mock.port}` : mock.endpoint,
    ...(o.sld ? { sldEnable: true } : {}),
    region: 'oss-cn-hangzhou',
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    authorizationV4: o.authorizationV4,
    bucket,
  } as OSS.Options);
}

/** @types/ali-oss requires every field of the query; ali-oss itself sends only those given. */
const ALL_PARTS = {} as OSS.ListPartsQuery;
/** @types/ali-oss types some results as the bare response; at run time they carry `res`. */
const statusOf = (result: unknown): number => (result as { res: { status: number } }).res.status;
/** ali-oss's minimum part size */
const PART = 102_400;
const text = (content: unknown) => Buffer.from(content as Buffer).toString('utf8');

describe.each(MATRIX)('ali-oss $sig, $addressing endpoint', (o) => {
  const bucket = `alioss-${o.sig}-${o.addressing}`;
  let client: OSS;
  beforeAll(async () => {
    client = clientFor(o, bucket);
    const created = await client.putBucket(bucket);
    expect(created.res.status).toBe(200);
  });

  it('puts a Buffer and a stream, gets, heads', async () => {
    const put = await client.put('dir/hello world.txt', Buffer.from('hello world'));
    expect(put.res.status).toBe(200);
    expect(put.res.headers).toMatchObject({ etag: '"5EB63BBBE01EEED093CB22BB8F5ACDC3"' });
    const stream = Readable.from([Buffer.from('streamed '), Buffer.from('body')]);
    // a Content-Length header on a stream: ali-oss sends it together with chunked encoding (docs/protocol.md#ali-oss)
    await client.put('dir/stream.txt', stream, { headers: { 'Content-Length': '13' } });
    expect(text((await client.get('dir/stream.txt')).content)).toBe('streamed body');
    const chunked = await client.putStream('dir/chunked.txt', Readable.from([Buffer.from('no length')]));
    expect(chunked.res.status).toBe(200);
    expect(text((await client.get('dir/chunked.txt')).content)).toBe('no length');
    const head = await client.head('dir/hello world.txt');
    expect(head.status).toBe(200);
    expect((head.res.headers as Record<string, string>)['content-length']).toBe('11');
  });

  it('gets a range and honours conditions', async () => {
    const ranged = await client.get('dir/hello world.txt', { headers: { Range: 'bytes=0-4' } });
    expect(ranged.res.status).toBe(206);
    expect(text(ranged.content)).toBe('hello');
    const etag = (await client.head('dir/hello world.txt')).res.headers as Record<string, string>;
    const notModified = await client.get('dir/hello world.txt', { headers: { 'If-None-Match': etag.etag! } });
    expect(notModified.res.status).toBe(304);
    const failed = await rejection(client.get('dir/hello world.txt', { headers: { 'If-Match': '"nope"' } }));
    expect([failed.name, failed.status]).toEqual(['PreconditionFailedError', 412]);
    const missing = await rejection(client.head('nothing-here'));
    expect([missing.name, missing.status]).toEqual(['NoSuchKeyError', 404]);
  });

  it('lists with list and listV2', async () => {
    const v1 = await client.list({ prefix: 'dir/', delimiter: '/', 'max-keys': 100 }, {});
    expect(v1.objects.map((x) => x.name)).toEqual(['dir/chunked.txt', 'dir/hello world.txt', 'dir/stream.txt']);
    const v2 = await client.listV2({ prefix: 'dir/', 'max-keys': '2' }, {});
    expect(v2.objects.map((x) => x.name)).toEqual(['dir/chunked.txt', 'dir/hello world.txt']);
    expect(v2.isTruncated).toBe(true);
    const rest = await client.listV2({ prefix: 'dir/', 'continuation-token': v2.nextContinuationToken! }, {});
    expect(rest.objects.map((x) => x.name)).toEqual(['dir/stream.txt']);
  });

  it('copies, appends and deletes several objects', async () => {
    const copy = await client.copy('copied.txt', 'dir/hello world.txt');
    expect(copy.res.status).toBe(200);
    expect(text((await client.get('copied.txt')).content)).toBe('hello world');
    const first = await client.append('log.txt', Buffer.from('abc'));
    expect(first.nextAppendPosition).toBe('3');
    await client.append('log.txt', Buffer.from('def'), { position: first.nextAppendPosition });
    expect(text((await client.get('log.txt')).content)).toBe('abcdef');
    const deleted = await client.deleteMulti(['copied.txt', 'log.txt'], { quiet: false });
    expect((deleted.deleted as unknown as Array<{ Key: string }>).map((d) => d.Key).sort()).toEqual([
      'copied.txt',
      'log.txt',
    ]);
    const missing = await rejection(client.get('copied.txt'));
    expect(missing.name).toBe('NoSuchKeyError');
  });

  it('signs URLs that GET and PUT work with', async () => {
    if (!o.sld) {
      // ali-oss refuses to presign for an IP endpoint (docs/protocol.md#ali-oss)
      expect(() => client.signatureUrl('x')).toThrow();
      return;
    }
    const putUrl = o.authorizationV4
      ? await client.signatureUrlV4('PUT', 60, { headers: { 'Content-Type': 'text/plain' } }, 'signed.txt')
      : client.signatureUrl('signed.txt', { method: 'PUT', 'Content-Type': 'text/plain' });
    const put = await fetch(putUrl, { method: 'PUT', body: 'via url', headers: { 'Content-Type': 'text/plain' } });
    expect(put.status).toBe(200);
    const getUrl = o.authorizationV4
      ? await client.signatureUrlV4('GET', 60, {}, 'signed.txt')
      : client.signatureUrl('signed.txt', { expires: 60 });
    const got = await fetch(getUrl);
    expect([got.status, await got.text()]).toEqual([200, 'via url']);
    const tampered = await fetch(getUrl.replace('signed.txt', 'other.txt'));
    expect(tampered.status).toBe(403);
  });

  it('resumes a cancelled multipartUpload on the same upload ID from its checkpoint', async () => {
    const file = join(dir, `${bucket}-resume.bin`);
    const data = Buffer.alloc(PART * 5 + 1000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) % 251;
    await writeFile(file, data);
    let checkpoint: OSS.Checkpoint | undefined;
    const cancelled = await rejection(
      client.multipartUpload('big.bin', file, {
        partSize: PART,
        parallel: 1,
        progress: async (_p: number, cpt: OSS.Checkpoint) => {
          checkpoint = cpt;
          if (cpt.doneParts.length === 2) client.cancel();
        },
      }),
    );
    expect(cancelled.name).toBe('cancel');
    const uploadId = checkpoint!.uploadId;
    const listed = await client.listParts('big.bin', uploadId, ALL_PARTS);
    expect(listed.parts.length).toBeGreaterThanOrEqual(2);
    const initiated = () =>
      mock.control.events().filter((e) => e.type === 'upload.initiated' && e.bucket === bucket).length;
    const before = initiated();
    const done = await client.multipartUpload('big.bin', file, { partSize: PART, parallel: 2, checkpoint });
    expect(statusOf(done)).toBe(200);
    expect(initiated()).toBe(before);
    expect(Buffer.compare((await client.get('big.bin')).content as Buffer, data)).toBe(0);
    const dead = await rejection(client.listParts('big.bin', uploadId, ALL_PARTS));
    expect(dead.name).toBe('NoSuchUploadError');
  });

  it('after abortMultipartUpload a resume fails and listParts is NoSuchUploadError', async () => {
    const file = join(dir, `${bucket}-abort.bin`);
    await writeFile(file, Buffer.alloc(PART * 4, 7));
    let checkpoint: OSS.Checkpoint | undefined;
    await rejection(
      client.multipartUpload('aborted.bin', file, {
        partSize: PART,
        parallel: 1,
        progress: async (_p: number, cpt: OSS.Checkpoint) => {
          checkpoint = cpt;
          if (cpt.doneParts.length === 1) client.cancel();
        },
      }),
    );
    const uploadId = checkpoint!.uploadId;
    const aborted = await client.abortMultipartUpload('aborted.bin', uploadId);
    expect(statusOf(aborted)).toBe(204);
    const resumed = await rejection(client.multipartUpload('aborted.bin', file, { partSize: PART, checkpoint }));
    expect(resumed.name).toBe('abort');
    const listed = await rejection(client.listParts('aborted.bin', uploadId, ALL_PARTS));
    expect([listed.name, listed.status]).toEqual(['NoSuchUploadError', 404]);
    expect((await rejection(client.head('aborted.bin'))).status).toBe(404);
  });

  it('builds an object from uploadPartCopy parts', async () => {
    await client.put('copy-source.bin', Buffer.alloc(PART + 10, 1));
    const { uploadId } = await client.initMultipartUpload('from-copy.bin');
    const source = { sourceKey: 'copy-source.bin', sourceBucketName: bucket };
    const p1 = await client.uploadPartCopy('from-copy.bin', uploadId, 1, `0-${PART - 1}`, source, {});
    const p2 = await client.uploadPartCopy('from-copy.bin', uploadId, 2, `${PART}-${PART + 9}`, source, {});
    const done = await client.completeMultipartUpload('from-copy.bin', uploadId, [
      { number: 1, etag: p1.etag },
      { number: 2, etag: p2.etag },
    ]);
    expect(statusOf(done)).toBe(200);
    const got = (await client.get('from-copy.bin')).content as Buffer;
    expect(Buffer.compare(got, Buffer.alloc(PART + 10, 1))).toBe(0);
  });

  it('deletes a bucket once empty', async () => {
    const other = `${bucket}-tmp`;
    await client.putBucket(other);
    const res = await client.deleteBucket(other);
    expect(statusOf(res)).toBe(204);
  });
});
