// Versioning (docs/protocol.md#versioning): PutBucketVersioning and GetBucketVersioning (`?versioning`),
// ListObjectVersions (`GET /?versions`), and what the object operations share: the `versionId` a request addresses
// and the version headers of an answer.
import { CAUSE_EC, OssError } from '../../protocol/errors.js';
import { parseXml, xmlRaw, xmlSequence, type XmlValue } from '../../protocol/xml.js';
import type { Exchange } from '../exchange/exchange.js';
import type { HeaderMap } from '../exchange/reply.js';
import { sendEmpty, sendXml } from '../exchange/reply.js';
import { queryValue } from '../exchange/request-target.js';
import { receiveSmallBody } from '../ingest/body-reader.js';
import type { VersioningStatus } from '../storage/store.js';
import { assertBucket } from './checks.js';
import type { Handler } from './handler.js';
import { commonPrefixXml, versionXml, type EntryContext } from './listing-xml.js';
import { intParam, keyEncoding, textParam } from './params.js';

/** A `<VersioningConfiguration>` is tens of bytes. */
const MAX_CONFIGURATION_BYTES = 16 * 1024;
const STATUSES: readonly VersioningStatus[] = ['Enabled', 'Suspended'];

/**
 * The `versionId` query parameter: undefined when absent; present but empty (`?versionId` or `?versionId=`) it is
 * handed on as '', which the store refuses as an invalid version ID, as OSS does (aliyun-oss-python-sdk
 * tests/test_object_versioning.py expects both to fail).
 */
export function versionIdOf(ex: Exchange): string | undefined {
  return 'versionId' in ex.query ? ex.query.versionId : undefined;
}

/** `x-oss-version-id` of a version in a versioned bucket (developer-reference/putobject, getobject). */
export function versionHeaders(meta: { versionId?: string }): HeaderMap {
  return meta.versionId === undefined ? {} : { 'x-oss-version-id': meta.versionId };
}

/** `PUT /?versioning` with `<VersioningConfiguration><Status>Enabled|Suspended</Status>` (putbucketversioning). */
export const putBucketVersioning: Handler = async (ex, s) => {
  const bucket = ex.ctx.bucket!;
  const text = (await receiveSmallBody(ex, s.control, MAX_CONFIGURATION_BYTES)).toString('utf8');
  const root = parseXml(text).VersioningConfiguration;
  const status = typeof root === 'object' && root !== null ? (root as Record<string, unknown>).Status : undefined;
  if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status.trim())) {
    throw new OssError('MalformedXML', {
      message: 'The VersioningConfiguration Status must be Enabled or Suspended.',
    });
  }
  await s.store.setBucketVersioning(bucket, status.trim() as VersioningStatus);
  sendEmpty(ex, 200);
};

/**
 * `GET /?versioning`: `<VersioningConfiguration>` with the Status once it was set, empty before (ali-oss
 * getBucketVersioning reads Status, undefined for a bucket never versioned).
 */
export const getBucketVersioning: Handler = async (ex, s) => {
  const info = await assertBucket(s, ex.ctx.bucket!);
  sendXml(ex, 'VersioningConfiguration', info.versioning === undefined ? {} : { Status: info.versioning });
};

/**
 * `GET /?versions` (developer-reference/listobjectversions): prefix, delimiter, key-marker, version-id-marker (only
 * with key-marker), max-keys 1..1000 (default 100), encoding-type=url. Versions and delete markers come in listing
 * order, each key's newest first.
 */
export const listObjectVersions: Handler = async (ex, s) => {
  const bucket = ex.ctx.bucket!;
  const enc = keyEncoding(ex.query);
  const prefix = textParam(ex.query, 'prefix');
  const delimiter = queryValue(ex.query, 'delimiter') ?? '';
  const keyMarker = textParam(ex.query, 'key-marker');
  const versionIdMarker = queryValue(ex.query, 'version-id-marker');
  const maxKeys = intParam(ex.query, 'max-keys', { min: 1, max: 1000, fallback: 100 });
  // EC 0012-00000106 (https://help.aliyun.com/document_detail/600103.html)
  if (versionIdMarker !== undefined && keyMarker === '') {
    throw new OssError('InvalidArgument', {
      message: 'A version-id marker cannot be specified without a key marker.',
      ec: CAUSE_EC.versionIdMarkerWithoutKeyMarker,
      extra: { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker },
    });
  }
  await assertBucket(s, bucket);
  const page = await s.store.listObjectVersions(bucket, {
    prefix,
    delimiter,
    keyMarker,
    ...(versionIdMarker === undefined ? {} : { versionIdMarker }),
    maxKeys,
  });
  // the body keeps listing order: Version and DeleteMarker elements interleave, common prefixes follow
  const body: Array<[string, XmlValue]> = [
    ['Name', bucket],
    ['Prefix', enc.encode(prefix)],
    ['KeyMarker', enc.encode(keyMarker)],
    ['VersionIdMarker', versionIdMarker ?? ''],
    ['MaxKeys', maxKeys],
    ['Delimiter', enc.encode(delimiter)],
    ['IsTruncated', page.truncated],
  ];
  if (page.nextKeyMarker !== undefined) body.push(['NextKeyMarker', enc.encode(page.nextKeyMarker)]);
  if (page.nextVersionIdMarker !== undefined) body.push(['NextVersionIdMarker', page.nextVersionIdMarker]);
  if (enc.type !== undefined) body.push(['EncodingType', enc.type]);
  const c: EntryContext = { encode: enc.encode, now: new Date() };
  let versions = '';
  let prefixes = '';
  for (const entry of page.entries) {
    if (entry.kind === 'version') versions += versionXml(entry.version, c);
    else prefixes += commonPrefixXml(entry.prefix, c);
  }
  body.push(['Version', xmlRaw(versions)], ['CommonPrefixes', xmlRaw(prefixes)]);
  sendXml(ex, 'ListVersionsResult', xmlSequence(body));
};
