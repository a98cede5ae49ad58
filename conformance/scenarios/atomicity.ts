// ATOM: an object or part exists only after its body ended cleanly with the promised length; anything else leaves the
// previous version (docs/architecture.md#guarantees; docs/protocol.md#multipart, docs/protocol.md#putobject citing the
// docs' "Strong consistency": object operations are atomic and never expose partial data).
import { normalizeEtag } from '../../protocol/index.js';
import { sendTruncatedUpload } from '../../testkit/truncated-upload.js';
import type { ClientContext, ClientScenario, EndpointContext, EndpointScenario } from '../scenario.js';
import { bucketNameFor } from '../targets/target.js';
import { bytes, describeError, digestOf, interruptUpload, INTERRUPTED_BODY, KiB } from './support.js';

const ATOMIC = 'docs/protocol.md#atomicity (OSS docs Developer Guide/Terms.md, "Strong consistency")';

/** The object is exactly `body` (bytes and ETag). */
async function assertObject(ctx: EndpointContext, key: string, body: Buffer, what: string): Promise<void> {
  const got = await ctx.raw.getObject(ctx.bucket, key);
  ctx.check.equal(got.status, 200, `${what}: the object is readable`);
  ctx.check.ok(got.body.equals(body), `${what}: the object holds the previous bytes (${got.body.length} bytes read)`);
  ctx.check.equal(normalizeEtag(got.headers.etag ?? ''), (await digestOf(body)).etag, `${what}: the previous ETag`);
}

const atom001: ClientScenario = {
  id: 'ATOM-001',
  subject: 'client',
  title: 'An interrupted overwrite leaves the previous object intact (bytes and ETag)',
  verifiedAgainst: ATOMIC,
  requires: {},
  async run(ctx) {
    const key = ctx.key('atom-overwrite');
    const v1 = bytes(200 * KiB, 1);
    await ctx.raw.putObject(ctx.bucket, key, v1);
    await interruptUpload(ctx, {
      operation: 'PutObject',
      minBytes: 64 * KiB,
      start: (extra, client) =>
        client.putObject({ bucket: ctx.bucket, key, body: bytes(INTERRUPTED_BODY, 2), ...extra }),
    });
    await assertObject(ctx, key, v1, 'after the interrupted overwrite');
  },
};

const atom002: ClientScenario = {
  id: 'ATOM-002',
  subject: 'client',
  title: 'A part re-upload cut mid-body is never listed: the earlier copy of that part number stays and completes',
  verifiedAgainst: ATOMIC,
  requires: { capabilities: ['multipart'] },
  async run(ctx) {
    const { bucket } = ctx;
    const key = ctx.key('atom-part');
    const { uploadId } = await ctx.client.initiateMultipartUpload({ bucket, key });
    ctx.defer(() => ctx.raw.abort(bucket, key, uploadId));
    const first = bytes(150 * KiB, 3);
    const r = await ctx.client.uploadPart({ bucket, key, uploadId, partNumber: 1, body: first });
    await interruptUpload(ctx, {
      operation: 'UploadPart',
      partNumber: 1,
      minBytes: 64 * KiB,
      start: (extra, client) =>
        client.uploadPart({ bucket, key, uploadId, partNumber: 1, body: bytes(INTERRUPTED_BODY, 4), ...extra }),
    });
    const { parts } = await ctx.raw.listParts(bucket, key, uploadId);
    ctx.check.deepEqual(
      parts.map((p) => [p.partNumber, p.size, normalizeEtag(p.etag)]),
      [[1, first.length, normalizeEtag(r.etag)]],
      'part 1 is still the first, complete upload',
    );
    const done = await ctx.raw.complete(bucket, key, uploadId, [{ partNumber: 1, etag: r.etag }]);
    ctx.check.equal(done.status, 200, 'Complete with the earlier part');
    const got = await ctx.raw.getObject(bucket, key);
    ctx.check.ok(got.body.equals(first), 'the object holds the earlier part');
  },
};

/** A previous version, then a body that stops early; the previous version must survive and nothing new appear. */
function truncatedBody(id: string, framing: 'length' | 'chunked', title: string): EndpointScenario {
  return {
    id,
    subject: 'endpoint',
    title,
    verifiedAgainst: `${ATOMIC}; docs/protocol.md#putobject (chunked uploads), docs/protocol.md#error-catalogue IncompleteBody`,
    requires: {},
    async run(ctx) {
      const key = ctx.key('atom-short');
      const fresh = ctx.key('atom-short-new');
      const v1 = bytes(64 * KiB, 5);
      await ctx.raw.putObject(ctx.bucket, key, v1);
      const sent = bytes(100 * KiB, 6);
      for (const k of [key, fresh]) {
        const outcome = await sendTruncatedUpload({
          client: ctx.raw,
          bucket: ctx.bucket,
          key: k,
          framing,
          declaredLength: 256 * KiB,
          sent,
        });
        if (outcome.status !== undefined) {
          ctx.check.ok(
            outcome.status >= 400,
            `a truncated body must not be answered with success (got ${outcome.status})`,
          );
        }
      }
      await assertObject(ctx, key, v1, 'after the truncated overwrite');
      ctx.check.equal(
        (await ctx.raw.headObject(ctx.bucket, fresh)).status,
        404,
        'a truncated new object is not created',
      );
    },
  };
}

const atom005: EndpointScenario = {
  id: 'ATOM-005',
  subject: 'endpoint',
  title: 'An UploadPart body shorter than its Content-Length is never listed',
  verifiedAgainst: ATOMIC,
  requires: {},
  async run(ctx) {
    const { bucket } = ctx;
    const key = ctx.key('atom-short-part');
    const uploadId = await ctx.raw.initiate(bucket, key);
    ctx.defer(() => ctx.raw.abort(bucket, key, uploadId));
    await sendTruncatedUpload({
      client: ctx.raw,
      bucket,
      key,
      query: [
        ['partNumber', '1'],
        ['uploadId', uploadId],
      ],
      framing: 'length',
      declaredLength: 256 * KiB,
      sent: bytes(100 * KiB, 7),
    });
    const { res, parts } = await ctx.raw.listParts(bucket, key, uploadId);
    ctx.check.equal(res.status, 200, 'the upload ID survives the short part');
    ctx.check.deepEqual(parts, [], 'the short part is not listed');
  },
};

/**
 * The scenario's context on a bucket with versioning enabled. On the embedded mock the scenario's own bucket is used;
 * on an external target, whose bucket is shared, a bucket of its own is created (versioning, once enabled, can only
 * be suspended, never switched off: docs/protocol.md#versioning). Every version is removed afterwards, since only an
 * empty versioned bucket can be deleted.
 */
async function versionedSpace(ctx: ClientContext): Promise<ClientContext> {
  let space: ClientContext = ctx;
  if (ctx.prefix !== '') {
    const bucket = bucketNameFor(`${ctx.scenarioId}-versioned`);
    try {
      await ctx.raw.putBucket(bucket);
    } catch (err) {
      return ctx.skip(
        `needs a bucket of its own to enable versioning on, and creating one failed: ${describeError(err)}`,
      );
    }
    ctx.defer(() => ctx.raw.deleteBucket(bucket));
    space = { ...ctx, bucket, prefix: '', key: (name) => name };
  }
  const { bucket } = space;
  await ctx.raw.putBucketVersioning(bucket, 'Enabled');
  ctx.defer(() => ctx.raw.purgeVersions(bucket, space.prefix));
  return space;
}

const VERSIONING =
  'docs/protocol.md#versioning (https://www.alibabacloud.com/help/en/oss/developer-reference/listobjectversions)';

const atom006: ClientScenario = {
  id: 'ATOM-006',
  subject: 'client',
  title:
    'An interrupted overwrite in a versioned bucket creates no version and no delete marker: the previous version stays current (bytes, ETag, version ID)',
  verifiedAgainst: `${ATOMIC}; ${VERSIONING}`,
  requires: {},
  async run(ctx) {
    const space = await versionedSpace(ctx);
    const { bucket } = space;
    const key = space.key('atom-versioned');
    const v1 = bytes(200 * KiB, 8);
    const put = await ctx.raw.putObject(bucket, key, v1);
    const v1Id = put.headers['x-oss-version-id'] ?? '';
    ctx.check.ok(v1Id !== '' && v1Id !== 'null', `PutObject in a versioned bucket names its version (got "${v1Id}")`);
    await interruptUpload(space, {
      operation: 'PutObject',
      minBytes: 64 * KiB,
      start: (extra, client) => client.putObject({ bucket, key, body: bytes(INTERRUPTED_BODY, 9), ...extra }),
    });
    const versions = await ctx.raw.listVersions(bucket, key);
    ctx.check.deepEqual(
      versions.map((v) => ({ key: v.key, versionId: v.versionId, deleteMarker: v.deleteMarker, isLatest: v.isLatest })),
      [{ key, versionId: v1Id, deleteMarker: false, isLatest: true }],
      'ListObjectVersions lists exactly the first version, current, and no delete marker',
    );
    const got = await ctx.raw.getObject(bucket, key);
    ctx.check.equal(got.status, 200, 'the object is readable');
    ctx.check.ok(got.body.equals(v1), `the object holds the first version's bytes (${got.body.length} bytes read)`);
    ctx.check.equal(normalizeEtag(got.headers.etag ?? ''), (await digestOf(v1)).etag, "the first version's ETag");
    ctx.check.equal(got.headers['x-oss-version-id'], v1Id, 'GetObject answers the first version ID');
  },
};

export const ATOM_SCENARIOS = [
  atom001,
  atom002,
  truncatedBody('ATOM-003', 'length', 'A PutObject body shorter than its Content-Length commits nothing'),
  truncatedBody('ATOM-004', 'chunked', 'A chunked PutObject body without its terminating chunk commits nothing'),
  atom005,
  atom006,
];
