// MPU: interrupt vs abort (docs/architecture.md#guarantees: upload IDs are a state machine initiated -> completed |
// aborted). An interrupted UploadPart changes nothing and the upload ID stays usable; after Abort (or Complete) every
// call with that ID is 404 NoSuchUpload.
import { crc64Combine, multipartEtag, normalizeEtag } from '../../protocol/index.js';
import type { ClientScenario, EndpointScenario } from '../scenario.js';
import { errorFields } from '../../testkit/raw-client.js';
import { bytes, digestOf, expectDriverError, interruptUpload, INTERRUPTED_BODY, KiB, sameEtag } from './support.js';

const PART = 256 * KiB;

const mpu001: ClientScenario = {
  id: 'MPU-001',
  subject: 'client',
  title:
    'An interrupted UploadPart leaves the upload ID listing only finished parts; the missing parts are accepted and Complete yields the right bytes, ETag and CRC-64',
  verifiedAgainst:
    'docs/protocol.md#multipart, docs/protocol.md#etags (multipart ETag), docs/protocol.md#crc-64 (CRC-64); docs/protocol.md#cpp-sdk',
  requires: { capabilities: ['multipart'] },
  async run(ctx) {
    const { bucket } = ctx;
    const key = ctx.key('mpu-interrupted');
    const { uploadId } = await ctx.client.initiateMultipartUpload({ bucket, key });
    ctx.defer(() => ctx.raw.abort(bucket, key, uploadId));
    const bodies = [bytes(PART, 11), bytes(PART, 12), bytes(100 * KiB, 13)];
    const [b1, b2, b3] = bodies as [Buffer, Buffer, Buffer];
    const r1 = await ctx.client.uploadPart({ bucket, key, uploadId, partNumber: 1, body: b1 });
    await interruptUpload(ctx, {
      operation: 'UploadPart',
      partNumber: 2,
      minBytes: 64 * KiB,
      start: (extra, client) =>
        client.uploadPart({ bucket, key, uploadId, partNumber: 2, body: bytes(INTERRUPTED_BODY, 14), ...extra }),
    });
    const listed = await ctx.client.listParts({ bucket, key, uploadId });
    ctx.check.deepEqual(
      listed.map((p) => [p.partNumber, p.size, normalizeEtag(p.etag)]),
      [[1, b1.length, normalizeEtag(r1.etag)]],
      'ListParts after the interruption lists only part 1',
    );
    const r2 = await ctx.client.uploadPart({ bucket, key, uploadId, partNumber: 2, body: b2 });
    const r3 = await ctx.client.uploadPart({ bucket, key, uploadId, partNumber: 3, body: b3 });
    const digests = await Promise.all(bodies.map(digestOf));
    [r1, r2, r3].forEach((r, i) =>
      ctx.check.ok(sameEtag(r.etag, digests[i]!.etag), `part ${i + 1} ETag is the MD5 of its body`),
    );
    const etags = [r1, r2, r3].map((r) => normalizeEtag(r.etag));
    const done = await ctx.client.completeMultipartUpload({
      bucket,
      key,
      uploadId,
      parts: [r1, r2, r3].map((r, i) => ({ partNumber: i + 1, etag: r.etag })),
    });
    const expectedEtag = multipartEtag(etags);
    ctx.check.equal(
      normalizeEtag(done.etag),
      expectedEtag,
      'Complete ETag follows the OSS multipart rule (docs/protocol.md#etags)',
    );
    const whole = Buffer.concat(bodies);
    const expectedCrc = (await digestOf(whole)).crc64;
    const combined = bodies.reduce((acc, b, i) => crc64Combine(acc, BigInt(digests[i]!.crc64), b.length), 0n);
    ctx.check.equal(combined.toString(), expectedCrc, 'CRC-64 combine of the parts equals the CRC of the whole');
    if (done.crc64 !== undefined) ctx.check.equal(done.crc64, expectedCrc, 'Complete x-oss-hash-crc64ecma');
    const got = await ctx.raw.getObject(bucket, key);
    ctx.check.equal(got.status, 200);
    ctx.check.ok(got.body.equals(whole), 'the object is parts 1, 2, 3 in order');
    ctx.check.equal(got.headers['x-oss-hash-crc64ecma'], expectedCrc, 'GetObject CRC-64 of the whole object');
    ctx.check.equal(normalizeEtag(got.headers.etag ?? ''), expectedEtag, 'GetObject ETag');
    ctx.check.equal(got.headers['x-oss-object-type'], 'Multipart');
    await expectDriverError(
      ctx.client.listParts({ bucket, key, uploadId }),
      ['NoSuchUpload'],
      'ListParts after Complete',
      404,
    );
  },
};

const mpu002: ClientScenario = {
  id: 'MPU-002',
  subject: 'client',
  title:
    'After AbortMultipartUpload, UploadPart / ListParts / Complete / a second Abort are all 404 NoSuchUpload; ListMultipartUploads shows the live upload and not the aborted one',
  verifiedAgainst:
    'docs/protocol.md#multipart, docs/protocol.md#error-catalogue NoSuchUpload (Go SDK v2 integration tests)',
  requires: { capabilities: ['multipart'] },
  async run(ctx) {
    const { bucket } = ctx;
    const liveKey = ctx.key('mpu-live');
    const deadKey = ctx.key('mpu-aborted');
    const live = await ctx.client.initiateMultipartUpload({ bucket, key: liveKey });
    ctx.defer(() => ctx.raw.abort(bucket, liveKey, live.uploadId));
    await ctx.client.uploadPart({ bucket, key: liveKey, uploadId: live.uploadId, partNumber: 1, body: bytes(PART, 1) });
    const dead = await ctx.client.initiateMultipartUpload({ bucket, key: deadKey });
    const ref = { bucket, key: deadKey, uploadId: dead.uploadId };
    const p1 = await ctx.client.uploadPart({ ...ref, partNumber: 1, body: bytes(PART, 2) });
    await ctx.client.abortMultipartUpload(ref);
    const gone = ['NoSuchUpload'];
    await expectDriverError(
      ctx.client.uploadPart({ ...ref, partNumber: 2, body: bytes(PART, 3) }),
      gone,
      'UploadPart after Abort',
      404,
    );
    await expectDriverError(ctx.client.listParts(ref), gone, 'ListParts after Abort', 404);
    await expectDriverError(
      ctx.client.completeMultipartUpload({ ...ref, parts: [{ partNumber: 1, etag: p1.etag }] }),
      gone,
      'Complete after Abort',
      404,
    );
    await expectDriverError(ctx.client.abortMultipartUpload(ref), gone, 'a second Abort', 404);
    const uploads = await ctx.client.listMultipartUploads({ bucket, prefix: ctx.prefix });
    const ids = uploads.map((u) => u.uploadId);
    ctx.check.ok(ids.includes(live.uploadId), 'ListMultipartUploads shows the live upload');
    ctx.check.ok(!ids.includes(dead.uploadId), 'ListMultipartUploads does not show the aborted upload');
    ctx.check.equal((await ctx.raw.headObject(bucket, deadKey)).status, 404, 'the aborted upload committed nothing');
  },
};

const mpu003: ClientScenario = {
  id: 'MPU-003',
  subject: 'client',
  title:
    'Re-uploading a part number overwrites it: ListParts shows the new ETag, the old one is InvalidPart at Complete',
  verifiedAgainst:
    'docs/protocol.md#multipart ("Uploading the same part number again overwrites"), docs/protocol.md#multipart InvalidPart',
  requires: { capabilities: ['multipart'] },
  async run(ctx) {
    const { bucket } = ctx;
    const key = ctx.key('mpu-overwrite');
    const { uploadId } = await ctx.client.initiateMultipartUpload({ bucket, key });
    ctx.defer(() => ctx.raw.abort(bucket, key, uploadId));
    const first = bytes(120 * KiB, 31);
    const second = bytes(110 * KiB, 32);
    const a = await ctx.client.uploadPart({ bucket, key, uploadId, partNumber: 1, body: first });
    const b = await ctx.client.uploadPart({ bucket, key, uploadId, partNumber: 1, body: second });
    const listed = await ctx.client.listParts({ bucket, key, uploadId });
    ctx.check.deepEqual(
      listed.map((p) => [p.partNumber, p.size, normalizeEtag(p.etag)]),
      [[1, second.length, normalizeEtag(b.etag)]],
      'part 1 is the second upload',
    );
    await expectDriverError(
      ctx.client.completeMultipartUpload({ bucket, key, uploadId, parts: [{ partNumber: 1, etag: a.etag }] }),
      ['InvalidPart'],
      'Complete with the overwritten ETag',
      400,
    );
    await ctx.client.completeMultipartUpload({ bucket, key, uploadId, parts: [{ partNumber: 1, etag: b.etag }] });
    const got = await ctx.raw.getObject(bucket, key);
    ctx.check.ok(got.status === 200 && got.body.equals(second), 'the object holds the second part');
  },
};

const mpu004: EndpointScenario = {
  id: 'MPU-004',
  subject: 'endpoint',
  title:
    'Complete validates its part list: InvalidPartOrder, InvalidPart (unknown part), EntityTooSmall (small non-last part)',
  verifiedAgainst:
    'docs/protocol.md#multipart validation order, docs/protocol.md#error-catalogue (EC 0042-00000209, 0042-00000213)',
  requires: {},
  async run(ctx) {
    const { bucket } = ctx;
    const key = ctx.key('mpu-validate');
    const uploadId = await ctx.raw.initiate(bucket, key);
    ctx.defer(() => ctx.raw.abort(bucket, key, uploadId));
    const small = bytes(10 * KiB, 41);
    const big = bytes(PART, 42);
    const e1 = (await ctx.raw.uploadPart(bucket, key, uploadId, 1, small)).headers.etag ?? '';
    const e2 = (await ctx.raw.uploadPart(bucket, key, uploadId, 2, big)).headers.etag ?? '';
    const expectCode = async (
      parts: Array<{ partNumber: number; etag: string }>,
      code: string,
      what: string,
    ): Promise<void> => {
      const res = await ctx.raw.complete(bucket, key, uploadId, parts);
      ctx.check.equal(res.status, 400, `${what}: HTTP status`);
      ctx.check.equal(errorFields(res).Code, code, what);
    };
    await expectCode(
      [
        { partNumber: 2, etag: e2 },
        { partNumber: 1, etag: e1 },
      ],
      'InvalidPartOrder',
      'parts out of order',
    );
    await expectCode([{ partNumber: 3, etag: e2 }], 'InvalidPart', 'a part never uploaded');
    await expectCode(
      [
        { partNumber: 1, etag: e1 },
        { partNumber: 2, etag: e2 },
      ],
      'EntityTooSmall',
      'a 10 KiB part before the last',
    );
    const { res, parts } = await ctx.raw.listParts(bucket, key, uploadId);
    ctx.check.equal(res.status, 200, 'a refused Complete leaves the upload ID usable');
    ctx.check.equal(parts.length, 2);
  },
};

export const MPU_SCENARIOS = [mpu001, mpu002, mpu003, mpu004];
