// Object ACL: PutObjectAcl / GetObjectAcl (`?acl` on an object), docs/protocol.md#object-acl. An object's ACL is
// `default` (the bucket's applies), private, public-read or public-read-write; it is set by x-oss-object-acl on the
// writes too (developer-reference/putobjectacl). GetObjectAcl answers `default` for an object that has none of its
// own (aliyun-oss-python-sdk oss2/models.py OBJECT_ACL_DEFAULT; developer-reference/getobjectacl).
import { OssError } from '../../protocol/errors.js';
import { sendEmpty, sendXml } from '../exchange/reply.js';
import type { ObjectAcl } from '../storage/store.js';
import { objectTarget, type Handler } from './handler.js';
import { OBJECT_ACLS } from './object-headers.js';
import { OWNER } from './owner.js';
import { oneOf } from './params.js';
import { requestHeader } from '../exchange/request-target.js';
import { versionHeaders, versionIdOf } from './versioning.js';

export const putObjectAcl: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const raw = requestHeader(ex.req, 'x-oss-object-acl');
  if (raw === undefined || raw.trim() === '') {
    throw new OssError('InvalidArgument', {
      message: 'The x-oss-object-acl header is missing.',
      extra: { ArgumentName: 'x-oss-object-acl', ArgumentValue: '' },
    });
  }
  const acl = oneOf(raw, OBJECT_ACLS, 'x-oss-object-acl') as ObjectAcl;
  const meta = await s.store.updateObjectMeta(bucket, key, () => ({ acl }), versionIdOf(ex));
  sendEmpty(ex, 200, versionHeaders(meta));
};

export const getObjectAcl: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const meta = await s.store.headObject(bucket, key, versionIdOf(ex));
  sendXml(
    ex,
    'AccessControlPolicy',
    { Owner: { ...OWNER }, AccessControlList: { Grant: meta.acl ?? 'default' } },
    versionHeaders(meta),
  );
};
