// Bucket handlers: PutBucket, DeleteBucket, GetBucketInfo, GetBucketLocation, GetBucketAcl, PutBucketAcl (reference
// docs/protocol.md#bucket-operations).
import { xmlTime } from '../../protocol/dates.js';
import { OssError } from '../../protocol/errors.js';
import { parseXml } from '../../protocol/xml.js';
import type { Exchange } from '../exchange/exchange.js';
import { receiveSmallBody } from '../ingest/body-reader.js';
import { sendEmpty, sendXml } from '../exchange/reply.js';
import { noSuchBucket } from '../storage/store-errors.js';
import type { BucketAcl, BucketInfo } from '../storage/store.js';
import { type Handler, type OperationServices } from './handler.js';
import { endpointsOf, OWNER } from './owner.js';
import { oneOf, STORAGE_CLASSES } from './params.js';
import { requestHeader } from '../exchange/request-target.js';

export const BUCKET_ACLS: readonly BucketAcl[] = ['private', 'public-read', 'public-read-write'];
const REDUNDANCY_TYPES = ['LRS', 'ZRS'];
/** A CreateBucketConfiguration is a few hundred bytes; anything far larger is not one. */
const MAX_CONFIGURATION_BYTES = 64 * 1024;

function pick(value: string | undefined, allowed: readonly string[], name: string): string | undefined {
  return value === undefined || value === '' ? undefined : oneOf(value, allowed, name);
}

function hasBody(ex: Exchange): boolean {
  const length = requestHeader(ex.req, 'content-length');
  return requestHeader(ex.req, 'transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

/** The optional `<CreateBucketConfiguration>` body: StorageClass and DataRedundancyType. */
async function configuration(ex: Exchange, s: OperationServices): Promise<Record<string, unknown>> {
  if (!hasBody(ex)) return {};
  const text = (await receiveSmallBody(ex, s.control, MAX_CONFIGURATION_BYTES)).toString('utf8');
  if (text.trim() === '') return {};
  const doc = parseXml(text);
  const root = doc.CreateBucketConfiguration;
  if (root === undefined) throw new OssError('MalformedXML');
  return typeof root === 'object' && root !== null ? (root as Record<string, unknown>) : {};
}

export const putBucket: Handler = async (ex, s) => {
  const name = ex.ctx.bucket!;
  const config = await configuration(ex, s);
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  await s.store.createBucket({
    name,
    location: `oss-${s.config.region}`,
    storageClass: pick(text(config.StorageClass), STORAGE_CLASSES, 'StorageClass') ?? 'Standard',
    dataRedundancyType: pick(text(config.DataRedundancyType), REDUNDANCY_TYPES, 'DataRedundancyType') ?? 'LRS',
    acl: (pick(requestHeader(ex.req, 'x-oss-acl'), BUCKET_ACLS, 'x-oss-acl') as BucketAcl | undefined) ?? 'private',
  });
  // ali-oss requires the Location header (docs/protocol.md#ali-oss)
  sendEmpty(ex, 200, { Location: `/${name}` });
};

export const deleteBucket: Handler = async (ex, s) => {
  await s.store.deleteBucket(ex.ctx.bucket!);
  sendEmpty(ex, 204);
};

async function bucketOf(ex: Exchange, s: OperationServices): Promise<BucketInfo> {
  const info = await s.store.getBucket(ex.ctx.bucket!);
  if (info === undefined) throw noSuchBucket(ex.ctx.bucket!);
  return info;
}

/** Every field oss2's parse_get_bucket_info requires, plus the optional ones Go reads (docs/protocol.md#bucket-operations). */
export const getBucketInfo: Handler = async (ex, s) => {
  const b = await bucketOf(ex, s);
  const { ExtranetEndpoint, IntranetEndpoint, Region } = endpointsOf(b.location);
  sendXml(ex, 'BucketInfo', {
    Bucket: {
      AccessMonitor: 'Disabled',
      CreationDate: xmlTime(b.creationDate),
      ExtranetEndpoint,
      IntranetEndpoint,
      Location: b.location,
      Region,
      StorageClass: b.storageClass,
      TransferAcceleration: 'Disabled',
      CrossRegionReplication: 'Disabled',
      Name: b.name,
      DataRedundancyType: b.dataRedundancyType,
      Owner: { DisplayName: OWNER.DisplayName, ID: OWNER.ID },
      AccessControlList: { Grant: b.acl },
      Comment: '',
      ServerSideEncryptionRule: { SSEAlgorithm: 'None' },
    },
  });
};

export const getBucketLocation: Handler = async (ex, s) => {
  const b = await bucketOf(ex, s);
  sendXml(ex, 'LocationConstraint', b.location);
};

export const getBucketAcl: Handler = async (ex, s) => {
  const b = await bucketOf(ex, s);
  sendXml(ex, 'AccessControlPolicy', {
    Owner: { ...OWNER },
    AccessControlList: { Grant: b.acl },
  });
};

/**
 * `PUT /?acl` with x-oss-acl: private, public-read or public-read-write (developer-reference/putbucketacl). Objects
 * whose own ACL is `default` follow it (docs/protocol.md#object-acl).
 */
export const putBucketAcl: Handler = async (ex, s) => {
  const raw = requestHeader(ex.req, 'x-oss-acl');
  if (raw === undefined || raw.trim() === '') {
    throw new OssError('InvalidArgument', {
      message: 'The x-oss-acl header is missing.',
      extra: { ArgumentName: 'x-oss-acl', ArgumentValue: '' },
    });
  }
  await s.store.setBucketAcl(ex.ctx.bucket!, oneOf(raw, BUCKET_ACLS, 'x-oss-acl') as BucketAcl);
  sendEmpty(ex, 200);
};
