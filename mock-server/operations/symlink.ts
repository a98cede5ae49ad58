// Symlinks: PutSymlink / GetSymlink (`?symlink`), and how GET/HEAD read through a link (docs/protocol.md#symlinks).
//
// From developer-reference/putsymlink, getsymlink and headobject: PutSymlink does not check that the target exists;
// reading a link answers the target's bytes with Content-Length, ETag and Content-MD5 of the target, Last-Modified
// the later of the two, everything else (user metadata, Content-Type, x-oss-object-type: Symlink) the link's own;
// a missing target is 404 SymlinkTargetNotExist (EC https://www.alibabacloud.com/help/en/oss/support/0026-00000012),
// a target that is itself a link is 400 InvalidTargetType. GetSymlink of an object that is not a link is
// NotSymlink (aliyun-oss-csharp-sdk, ObjectBasicOperationTest GetSymlinkInvalidParameters, run against real OSS).
import { objectKeyError, uriEncode } from '../../protocol/addressing.js';
import { OssError } from '../../protocol/errors.js';
import { quoteEtag } from '../../protocol/etag.js';
import { fromWireHeader } from '../../protocol/signing.js';
import { sendEmpty } from '../exchange/reply.js';
import type { ObjectMeta } from '../storage/store.js';
import { assertBucket, assertOverwriteAllowed } from './checks.js';
import { committedEvent, emitEvent, objectTarget, type Handler, type OperationServices } from './handler.js';
import { versionHeaders, versionIdOf } from './versioning.js';
import { forbidOverwriteOf, objectHeadersFromRequest, objectResponseHeaders } from './object-headers.js';
import { requestHeader } from '../exchange/request-target.js';

/** What a read of `bucket/key` answers with: `meta` for the headers and conditions, `content` whose bytes it sends. */
export interface ReadView {
  meta: ObjectMeta;
  content: ObjectMeta;
}

/** A link read as OSS shows it: the target's size and digests, the later Last-Modified, the rest the link's. */
export function linkView(link: ObjectMeta, target: ObjectMeta): ObjectMeta {
  const view: ObjectMeta = {
    ...link,
    size: target.size,
    etag: target.etag,
    crc64: target.crc64,
    lastModified: target.lastModified > link.lastModified ? target.lastModified : link.lastModified,
  };
  if (target.contentMd5 === undefined) delete view.contentMd5;
  else view.contentMd5 = target.contentMd5;
  return Object.freeze(view);
}

/** The target of a link, or the OSS error for a missing target or a link to a link. */
export async function symlinkTargetOf(s: OperationServices, link: ObjectMeta): Promise<ObjectMeta> {
  let target: ObjectMeta;
  try {
    target = await s.store.headObject(link.bucket, link.symlinkTarget!);
  } catch (err) {
    if (err instanceof OssError && err.code === 'NoSuchKey') {
      throw new OssError('SymlinkTargetNotExist', { extra: { Key: link.key } });
    }
    throw err;
  }
  if (target.objectType === 'Symlink') throw new OssError('InvalidTargetType');
  return target;
}

/**
 * `bucket/key` (or its version `versionId`) as a read sees it, through one link if it is one (to the target's
 * current version).
 */
export async function resolveObject(
  s: OperationServices,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<ReadView> {
  const meta = await s.store.headObject(bucket, key, versionId);
  if (meta.objectType !== 'Symlink') return { meta, content: meta };
  const target = await symlinkTargetOf(s, meta);
  return { meta: linkView(meta, target), content: target };
}

/**
 * x-oss-symlink-target travels URL-encoded (ali-oss lib/common/object/putSymlink.js and getSymlink.js). Without it,
 * EC 0043-00000001 (https://help.aliyun.com/zh/oss/support/0043-00000001; the page names no code: MissingArgument is
 * the mock's choice).
 */
function targetOf(raw: string | undefined): string {
  if (raw === undefined || raw === '') {
    throw new OssError('MissingArgument', {
      ec: '0043-00000001',
      message: 'The x-oss-symlink-target header is missing.',
      extra: { ArgumentName: 'x-oss-symlink-target' },
    });
  }
  let target: string;
  try {
    target = decodeURIComponent(fromWireHeader(raw));
  } catch {
    throw new OssError('InvalidArgument', {
      message: 'The x-oss-symlink-target header is not URL-encoded.',
      extra: { ArgumentName: 'x-oss-symlink-target', ArgumentValue: raw },
    });
  }
  const keyError = objectKeyError(target);
  if (keyError !== undefined) throw keyError;
  return target;
}

export const putSymlink: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const symlinkTarget = targetOf(requestHeader(ex.req, 'x-oss-symlink-target'));
  const info = await assertBucket(s, bucket);
  const headers = { ...objectHeadersFromRequest(ex, info), symlinkTarget };
  const forbidOverwrite = forbidOverwriteOf(ex);
  await assertOverwriteAllowed(s, ex, forbidOverwrite);
  const meta = await s.store.putSymlink(bucket, key, headers, { forbidOverwrite });
  emitEvent(ex, s, committedEvent(meta));
  sendEmpty(ex, 200, { ETag: quoteEtag(meta.etag), ...versionHeaders(meta) });
};

/** The link itself: its headers and metadata, Content-Length 0, and where it points. */
export const getSymlink: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const meta = await s.store.headObject(bucket, key, versionIdOf(ex));
  if (meta.objectType !== 'Symlink') throw new OssError('NotSymlink');
  sendEmpty(ex, 200, {
    ...objectResponseHeaders(meta),
    'x-oss-hash-crc64ecma': undefined,
    'x-oss-symlink-target': uriEncode(meta.symlinkTarget!, true),
    'Content-Length': 0,
  });
};
