// WIRE: what real OSS sends and checks, byte for byte where SDKs depend on it: the error envelope
// (docs/protocol.md#error-envelope), HEAD's x-oss-err (docs/protocol.md#head-errors), V1/V4/presigned signatures
// accepted and wrong ones refused (docs/protocol.md#v1-signature), ETags and CRC-64 (docs/protocol.md#etags,
// docs/protocol.md#crc-64), AppendObject positions (docs/protocol.md#appendobject), and x-oss-traffic-limit honoured.
// Endpoint scenarios use the suite's own signed requests; the client ones check that the driver surfaces the same
// facts.
import { randomBytes } from 'node:crypto';
import { crc64Combine, multipartEtag, normalizeEtag, parseXml } from '../../protocol/index.js';
import { errorFields, text, xmlRoot, type RawResponse } from '../../testkit/raw-client.js';
import type { ClientScenario, EndpointContext, EndpointScenario } from '../scenario.js';
import { bytes, digestOf, expectDriverError, KiB, TRAFFIC_LIMIT_MIN } from './support.js';

const REQUEST_ID = /^[0-9A-F]{24}$/;
const EC = /^\d{4}-\d{8}$/;

/** The envelope rules every error response shares (docs/protocol.md#common-headers, docs/protocol.md#error-envelope).
 * */
function assertEnvelope(ctx: EndpointContext, res: RawResponse, status: number, code: string): Record<string, string> {
  ctx.check.equal(res.status, status, `${code}: HTTP status`);
  const requestId = res.headers['x-oss-request-id'] ?? '';
  ctx.check.match(requestId, REQUEST_ID, 'x-oss-request-id is 24 uppercase hex characters');
  const fields = errorFields(res);
  ctx.check.equal(fields.Code, code, 'Error/Code');
  ctx.check.ok((fields.Message ?? '') !== '', 'Error/Message is present');
  ctx.check.equal(fields.RequestId, requestId, 'Error/RequestId equals the x-oss-request-id header');
  ctx.check.ok((fields.HostId ?? '') !== '', 'Error/HostId is present');
  const ec = res.headers['x-oss-ec'];
  if (ec !== undefined || fields.EC !== undefined) {
    ctx.check.match(ec ?? '', EC, 'x-oss-ec header is NNNN-NNNNNNNN');
    ctx.check.equal(fields.EC, ec, 'Error/EC equals the x-oss-ec header');
  } else {
    ctx.note('no x-oss-ec / <EC> (older OSS deployments omit them)');
  }
  return fields;
}

const wire001: EndpointScenario = {
  id: 'WIRE-001',
  subject: 'endpoint',
  title: 'Error envelope: NoSuchKey and NoSuchBucket as XML with Code, Message, RequestId, HostId, EC and their extras',
  verifiedAgainst: 'docs/protocol.md#error-envelope, docs/protocol.md#common-headers, docs/protocol.md#error-catalogue',
  requires: {},
  async run(ctx) {
    const key = ctx.key('wire-missing');
    const res = await ctx.raw.getObject(ctx.bucket, key);
    ctx.check.match(res.headers['content-type'] ?? '', /xml/, 'an error body is XML');
    ctx.check.equal(assertEnvelope(ctx, res, 404, 'NoSuchKey').Key, key, 'NoSuchKey carries <Key>');
    const bucket = `no-such-bucket-${randomBytes(8).toString('hex')}`;
    const nb = await ctx.raw.getObject(bucket, 'k');
    ctx.check.equal(
      assertEnvelope(ctx, nb, 404, 'NoSuchBucket').BucketName,
      bucket,
      'NoSuchBucket carries <BucketName>',
    );
  },
};

const wire002: EndpointScenario = {
  id: 'WIRE-002',
  subject: 'endpoint',
  title: 'HEAD errors: no body, the error XML base64-encoded in x-oss-err',
  verifiedAgainst: 'docs/protocol.md#head-errors (Go conn.go handleResponse; oss2 exceptions.make_exception)',
  requires: {},
  async run(ctx) {
    const res = await ctx.raw.headObject(ctx.bucket, ctx.key('wire-missing'));
    ctx.check.equal(res.body.length, 0, 'a HEAD response has no body');
    ctx.check.ok(res.headers['x-oss-err'] !== undefined, 'x-oss-err is present');
    const xml = Buffer.from(res.headers['x-oss-err'] ?? '', 'base64').toString('utf8');
    ctx.check.ok(parseXml(xml).Error !== undefined, 'x-oss-err decodes to an <Error> document');
    assertEnvelope(ctx, res, 404, 'NoSuchKey');
  },
};

/** PUT then GET with the given signing; returns the GET. */
async function roundTrip(ctx: EndpointContext, auth: 'v1' | 'v4', name: string): Promise<void> {
  const key = ctx.key(name);
  const body = bytes(10 * KiB, 9);
  const put = await ctx.raw.request({ method: 'PUT', bucket: ctx.bucket, key, body, auth });
  ctx.check.equal(put.status, 200, `${auth} signed PutObject is accepted (${errorFields(put).Code ?? ''})`);
  const get = await ctx.raw.request({ method: 'GET', bucket: ctx.bucket, key, auth });
  ctx.check.equal(get.status, 200, `${auth} signed GetObject is accepted`);
  ctx.check.ok(get.body.equals(body), `${auth}: the body round-trips`);
}

function wrongSecret(ctx: EndpointContext): { accessKeyId: string; accessKeySecret: string } {
  return { accessKeyId: ctx.target.accessKeyId, accessKeySecret: `${ctx.target.accessKeySecret}-wrong` };
}

const wire003: EndpointScenario = {
  id: 'WIRE-003',
  subject: 'endpoint',
  title:
    'V1 header signatures: accepted when right; SignatureDoesNotMatch (with StringToSign, never the secret), InvalidAccessKeyId, RequestTimeTooSkewed, AccessDenied when anonymous',
  verifiedAgainst:
    'docs/protocol.md#v1-signature vectors, docs/protocol.md#error-envelope extras, docs/protocol.md#error-catalogue',
  requires: {},
  async run(ctx) {
    await roundTrip(ctx, 'v1', 'wire-v1');
    const key = ctx.key('wire-v1');
    const bad = await ctx.raw.request({ method: 'GET', bucket: ctx.bucket, key, credentials: wrongSecret(ctx) });
    const f = assertEnvelope(ctx, bad, 403, 'SignatureDoesNotMatch');
    ctx.check.ok((f.StringToSign ?? '').startsWith('GET\n'), '<StringToSign> shows what the server signed');
    ctx.check.ok(!bad.body.toString().includes(ctx.target.accessKeySecret), 'the secret is never echoed');
    const unknown = await ctx.raw.request({
      method: 'GET',
      bucket: ctx.bucket,
      key,
      credentials: { accessKeyId: `unknown${randomBytes(6).toString('hex')}`, accessKeySecret: 'x' },
    });
    assertEnvelope(ctx, unknown, 403, 'InvalidAccessKeyId');
    const skewed = await ctx.raw.request({
      method: 'GET',
      bucket: ctx.bucket,
      key,
      date: new Date(Date.now() - 20 * 60_000),
    });
    assertEnvelope(ctx, skewed, 403, 'RequestTimeTooSkewed');
    const anonymous = await ctx.raw.request({ method: 'GET', bucket: ctx.bucket, key, auth: 'none' });
    assertEnvelope(ctx, anonymous, 403, 'AccessDenied');
  },
};

const wire004: EndpointScenario = {
  id: 'WIRE-004',
  subject: 'endpoint',
  title: 'V4 header signatures (OSS4-HMAC-SHA256): accepted when right, SignatureDoesNotMatch when the secret is wrong',
  verifiedAgainst: 'docs/protocol.md#v4-signature vectors',
  requires: {},
  async run(ctx) {
    await roundTrip(ctx, 'v4', 'wire-v4');
    const bad = await ctx.raw.request({
      method: 'GET',
      bucket: ctx.bucket,
      key: ctx.key('wire-v4'),
      auth: 'v4',
      credentials: wrongSecret(ctx),
    });
    assertEnvelope(ctx, bad, 403, 'SignatureDoesNotMatch');
  },
};

async function fetchUrl(url: URL | string, init: { method?: string; body?: Buffer } = {}): Promise<RawResponse> {
  const res = await fetch(url, { method: init.method ?? 'GET', body: init.body });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
}

const wire005: EndpointScenario = {
  id: 'WIRE-005',
  subject: 'endpoint',
  title: 'Presigned URLs (V1 and V4): GET and PUT accepted; a tampered signature and an expired URL refused',
  verifiedAgainst: 'docs/protocol.md#v1-presign, docs/protocol.md#v4-presign',
  requires: {},
  async run(ctx) {
    const { bucket } = ctx;
    const key = ctx.key('wire presigned+key');
    const body = bytes(8 * KiB, 10);
    for (const version of ['v1', 'v4'] as const) {
      const putUrl = ctx.raw.presign({ method: 'PUT', bucket, key, version, expiresSeconds: 300 });
      const put = await fetchUrl(putUrl, { method: 'PUT', body });
      ctx.check.equal(put.status, 200, `${version} presigned PUT (${errorFields(put).Code ?? ''})`);
      const get = await fetchUrl(ctx.raw.presign({ method: 'GET', bucket, key, version, expiresSeconds: 300 }));
      ctx.check.equal(get.status, 200, `${version} presigned GET`);
      ctx.check.ok(get.body.equals(body), `${version} presigned GET returns the object`);
      const tampered = ctx.raw.presign({ method: 'GET', bucket, key, version, expiresSeconds: 300 });
      const sigParam = version === 'v1' ? 'Signature' : 'x-oss-signature';
      const sig = tampered.searchParams.get(sigParam) ?? '';
      tampered.searchParams.set(sigParam, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
      assertEnvelope(ctx, await fetchUrl(tampered), 403, 'SignatureDoesNotMatch');
      const expired = ctx.raw.presign({
        method: 'GET',
        bucket,
        key,
        version,
        expiresSeconds: 60,
        now: new Date(Date.now() - 3_600_000),
      });
      assertEnvelope(ctx, await fetchUrl(expired), 403, 'AccessDenied');
    }
  },
};

const wire006: EndpointScenario = {
  id: 'WIRE-006',
  subject: 'endpoint',
  title:
    'Simple objects: quoted uppercase-MD5 ETag, decimal CRC-64 and Content-MD5 on PutObject, the same on GET and HEAD',
  verifiedAgainst:
    'docs/protocol.md#etags, docs/protocol.md#crc-64 check values, docs/protocol.md#content-md5, docs/protocol.md#putobject, docs/protocol.md#getobject',
  requires: {},
  async run(ctx) {
    for (const [name, body] of [
      ['wire-etag', bytes(300 * KiB, 11)],
      ['wire-empty', Buffer.alloc(0)],
    ] as const) {
      const key = ctx.key(name);
      const d = await digestOf(body);
      const put = await ctx.raw.putObject(ctx.bucket, key, body);
      ctx.check.equal(put.headers.etag, `"${d.etag}"`, `${name}: PutObject ETag is the quoted uppercase MD5`);
      ctx.check.equal(put.headers['x-oss-hash-crc64ecma'], d.crc64, `${name}: PutObject CRC-64`);
      ctx.check.equal(put.headers['content-md5'], d.md5Base64, `${name}: PutObject Content-MD5`);
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await ctx.raw.request({ method, bucket: ctx.bucket, key });
        ctx.check.equal(res.status, 200);
        ctx.check.equal(res.headers.etag, `"${d.etag}"`, `${name}: ${method} ETag`);
        ctx.check.equal(res.headers['x-oss-hash-crc64ecma'], d.crc64, `${name}: ${method} CRC-64`);
        ctx.check.equal(res.headers['content-length'], String(body.length), `${name}: ${method} Content-Length`);
        ctx.check.equal(res.headers['x-oss-object-type'], 'Normal', `${name}: ${method} x-oss-object-type`);
      }
    }
    ctx.check.equal(
      (await digestOf(Buffer.alloc(0))).crc64,
      '0',
      'CRC-64 of the empty body is 0 (docs/protocol.md#crc-64)',
    );
  },
};

const wire007: EndpointScenario = {
  id: 'WIRE-007',
  subject: 'endpoint',
  title: 'Multipart: per-part ETag and CRC-64, Complete ETag "<MD5 of hex ETags>-N" in header and XML, combined CRC-64',
  verifiedAgainst:
    'docs/protocol.md#etags (vectors A and B), docs/protocol.md#crc-64 combine, docs/protocol.md#multipart',
  requires: {},
  async run(ctx) {
    const { bucket } = ctx;
    const key = ctx.key('wire-mpu');
    const uploadId = await ctx.raw.initiate(bucket, key);
    ctx.defer(() => ctx.raw.abort(bucket, key, uploadId));
    const bodies = [bytes(200 * KiB, 21), bytes(120 * KiB, 22)];
    const digests = await Promise.all(bodies.map(digestOf));
    const etags: string[] = [];
    for (const [i, body] of bodies.entries()) {
      const r = await ctx.raw.uploadPart(bucket, key, uploadId, i + 1, body);
      ctx.check.equal(r.status, 200);
      ctx.check.equal(r.headers.etag, `"${digests[i]!.etag}"`, `part ${i + 1} ETag`);
      ctx.check.equal(r.headers['x-oss-hash-crc64ecma'], digests[i]!.crc64, `part ${i + 1} CRC-64`);
      etags.push(r.headers.etag ?? '');
    }
    const { parts } = await ctx.raw.listParts(bucket, key, uploadId);
    for (const [i, p] of parts.entries()) {
      if (p.crc64 !== undefined)
        ctx.check.equal(p.crc64, digests[i]!.crc64, `ListParts HashCrc64ecma of part ${i + 1}`);
    }
    const done = await ctx.raw.complete(
      bucket,
      key,
      uploadId,
      etags.map((etag, i) => ({ partNumber: i + 1, etag })),
    );
    ctx.check.equal(done.status, 200, 'Complete');
    const expected = `"${multipartEtag(etags)}"`;
    ctx.check.equal(done.headers.etag, expected, 'Complete ETag header');
    ctx.check.equal(text(xmlRoot(done.body, 'CompleteMultipartUploadResult'), 'ETag'), expected, 'Complete <ETag>');
    const crc = crc64Combine(BigInt(digests[0]!.crc64), BigInt(digests[1]!.crc64), bodies[1]!.length).toString();
    ctx.check.equal(crc, (await digestOf(Buffer.concat(bodies))).crc64);
    ctx.check.equal(done.headers['x-oss-hash-crc64ecma'], crc, 'Complete CRC-64 of the whole object');
    const head = await ctx.raw.headObject(bucket, key);
    ctx.check.equal(head.headers['x-oss-object-type'], 'Multipart');
    ctx.check.equal(head.headers['x-oss-hash-crc64ecma'], crc, 'HEAD CRC-64');
    ctx.check.equal(normalizeEtag(head.headers.etag ?? ''), normalizeEtag(expected), 'HEAD ETag');
  },
};

const wire008: EndpointScenario = {
  id: 'WIRE-008',
  subject: 'endpoint',
  title:
    'AppendObject: next position and whole-object CRC-64; a wrong position is 409 PositionNotEqualToLength with x-oss-next-append-position',
  verifiedAgainst:
    'docs/protocol.md#appendobject, docs/protocol.md#error-catalogue, docs/protocol.md#crc-64 (incremental CRC)',
  requires: {},
  async run(ctx) {
    const key = ctx.key('wire-append');
    const a = bytes(3 * KiB, 31);
    const b = bytes(5 * KiB, 32);
    const append = (position: number, body: Buffer): Promise<RawResponse> =>
      ctx.raw.request({
        method: 'POST',
        bucket: ctx.bucket,
        key,
        query: [
          ['append', undefined],
          ['position', String(position)],
        ],
        body,
      });
    const r1 = await append(0, a);
    ctx.check.equal(r1.status, 200, 'first append');
    ctx.check.equal(r1.headers['x-oss-next-append-position'], String(a.length));
    ctx.check.equal(r1.headers['x-oss-hash-crc64ecma'], (await digestOf(a)).crc64);
    const r2 = await append(a.length, b);
    ctx.check.equal(r2.headers['x-oss-next-append-position'], String(a.length + b.length));
    ctx.check.equal(
      r2.headers['x-oss-hash-crc64ecma'],
      (await digestOf(Buffer.concat([a, b]))).crc64,
      'whole-object CRC',
    );
    const wrong = await append(1, b);
    assertEnvelope(ctx, wrong, 409, 'PositionNotEqualToLength');
    ctx.check.equal(wrong.headers['x-oss-next-append-position'], String(a.length + b.length));
    const head = await ctx.raw.headObject(ctx.bucket, key);
    ctx.check.equal(head.headers['x-oss-object-type'], 'Appendable');
  },
};

const wire009: EndpointScenario = {
  id: 'WIRE-009',
  subject: 'endpoint',
  title:
    'x-oss-traffic-limit is honoured (an upload at 100 KiB/s takes its time) and out-of-range values are InvalidArgument',
  verifiedAgainst: 'docs/protocol.md (x-oss-traffic-limit 819200..838860800 bit/s); docs/architecture.md#guarantees',
  requires: {},
  async run(ctx) {
    const key = ctx.key('wire-limited');
    const size = 256 * KiB;
    const rate = TRAFFIC_LIMIT_MIN / 8;
    const started = Date.now();
    await ctx.raw.putObject(ctx.bucket, key, bytes(size, 41), { 'x-oss-traffic-limit': String(TRAFFIC_LIMIT_MIN) });
    const seconds = (Date.now() - started) / 1000;
    const nominal = size / rate;
    ctx.note(`${size} bytes at ${rate} B/s took ${seconds.toFixed(2)} s (nominal ${nominal.toFixed(2)} s)`);
    // A tight lower bound (a loaded machine makes uploads slower, never faster; burst allowances stay well inside
    // 40%) and a loose upper one that only catches a throttle far below the requested rate.
    ctx.check.ok(
      seconds >= nominal * 0.6,
      `throttled upload finished in ${seconds.toFixed(2)} s, faster than the nominal ${nominal.toFixed(2)} s allows`,
    );
    ctx.check.ok(
      seconds <= nominal * 5,
      `throttled upload took ${seconds.toFixed(2)} s, more than 5x the nominal ${nominal.toFixed(2)} s`,
    );
    const low = await ctx.raw.request({
      method: 'PUT',
      bucket: ctx.bucket,
      key,
      body: bytes(1024, 42),
      headers: { 'x-oss-traffic-limit': String(TRAFFIC_LIMIT_MIN - 1) },
    });
    assertEnvelope(ctx, low, 400, 'InvalidArgument');
  },
};

const wire010: ClientScenario = {
  id: 'WIRE-010',
  subject: 'client',
  title:
    'The driver reports OSS errors with the server code, HTTP status and request ID (NoSuchKey on GET and HEAD, NoSuchUpload)',
  verifiedAgainst:
    'docs/protocol.md#cpp-sdk, docs/protocol.md#common-headers "Errors from XML"; docs/protocol.md#head-errors',
  requires: {},
  async run(ctx) {
    const ref = { bucket: ctx.bucket, key: ctx.key('wire-missing') };
    const e = await expectDriverError(ctx.client.getObject(ref), ['NoSuchKey'], 'GetObject of a missing key', 404);
    ctx.check.match(e.requestId ?? '', REQUEST_ID, 'the error carries the request ID');
    await expectDriverError(ctx.client.headObject(ref), ['NoSuchKey'], 'HeadObject of a missing key', 404);
    if (ctx.capabilities.has('multipart')) {
      await expectDriverError(
        ctx.client.listParts({ ...ref, uploadId: randomBytes(16).toString('hex').toUpperCase() }),
        ['NoSuchUpload'],
        'ListParts of an unknown upload ID',
        404,
      );
    }
  },
};

const wire011: ClientScenario = {
  id: 'WIRE-011',
  subject: 'client',
  title: 'The driver signs V4 requests the endpoint accepts, and a wrong secret is SignatureDoesNotMatch',
  verifiedAgainst:
    'docs/protocol.md#v4-signature; docs/protocol.md#cpp-sdk (V4 when configured), docs/protocol.md#common-headers (authorizationV4)',
  requires: { capabilities: ['signature-v4'] },
  async run(ctx) {
    const v4 = await ctx.openClient({ signatureVersion: 'v4' });
    const key = ctx.key('wire-client-v4');
    const body = bytes(12 * KiB, 51);
    await v4.putObject({ bucket: ctx.bucket, key, body });
    const got = await v4.getObject({ bucket: ctx.bucket, key });
    ctx.check.ok(got.body.equals(body), 'V4 put/get round-trips');
    for (const signatureVersion of ['v1', 'v4'] as const) {
      const wrong = await ctx.openClient({ signatureVersion, accessKeySecret: `${ctx.target.accessKeySecret}-wrong` });
      await expectDriverError(
        wrong.getObject({ bucket: ctx.bucket, key }),
        ['SignatureDoesNotMatch'],
        `${signatureVersion} with a wrong secret`,
        403,
      );
    }
  },
};

const wire012: ClientScenario = {
  id: 'WIRE-012',
  subject: 'client',
  title: 'The driver presigns GET URLs (V1, and V4 when it signs V4) that the endpoint serves',
  verifiedAgainst: 'docs/protocol.md#v1-presign, docs/protocol.md#v4-presign; docs/protocol.md#ali-oss (signatureUrl)',
  requires: { capabilities: ['presign'] },
  async run(ctx) {
    const key = ctx.key('wire-client-presigned');
    const body = bytes(6 * KiB, 61);
    await ctx.raw.putObject(ctx.bucket, key, body);
    const versions = ctx.capabilities.has('signature-v4') ? (['v1', 'v4'] as const) : (['v1'] as const);
    for (const signatureVersion of versions) {
      const url = await ctx.client.presignUrl({
        bucket: ctx.bucket,
        key,
        method: 'GET',
        expiresSeconds: 300,
        signatureVersion,
      });
      const res = await fetchUrl(url);
      ctx.check.equal(res.status, 200, `${signatureVersion} presigned GET (${errorFields(res).Code ?? ''})`);
      ctx.check.ok(res.body.equals(body), `${signatureVersion} presigned GET returns the object`);
    }
  },
};

export const WIRE_SCENARIOS = [
  wire001,
  wire002,
  wire003,
  wire004,
  wire005,
  wire006,
  wire007,
  wire008,
  wire009,
  wire010,
  wire011,
  wire012,
];
