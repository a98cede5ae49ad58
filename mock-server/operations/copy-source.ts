// x-oss-copy-source: `/<bucket>/<url-encoded key>[?versionId=...]` (docs/protocol.md#multipart,
// docs/protocol.md#copyobject).
import { objectKeyError } from '../../protocol/addressing.js';
import { OssError, CAUSE_EC } from '../../protocol/errors.js';
import type { Readable } from 'node:stream';
import type { Exchange } from '../exchange/exchange.js';
import type { ByteRange, ObjectMeta } from '../storage/store.js';
import { checkCopySourceConditions } from './conditions.js';
import type { OperationServices } from './handler.js';
import { resolveRange } from './range.js';
import { assertReadable } from './restore-state.js';
import { linkView, resolveObject } from './symlink.js';

export interface CopySource {
  bucket: string;
  key: string;
  /** `?versionId=` of the header: the source version to copy (docs/protocol.md#versioning) */
  versionId?: string;
}

function invalid(value: string, ec?: string): OssError {
  return new OssError('InvalidArgument', {
    message: 'Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.',
    extra: { ArgumentName: 'x-oss-copy-source', ArgumentValue: value },
    ...(ec === undefined ? {} : { ec }),
  });
}

/**
 * Splits and decodes the header. It must start with `/` (docs/protocol.md#multipart, EC 0042-00000301). Go encodes the
 * key with url.QueryEscape, so `+` is a space here; no SDK sends a literal `+` unencoded (docs/protocol.md#multipart).
 */
export function parseCopySource(value: string): CopySource {
  if (!value.startsWith('/')) throw invalid(value, CAUSE_EC.copySourceNotAbsolute);
  const q = value.indexOf('?');
  let decoded: string;
  try {
    decoded = decodeURIComponent((q < 0 ? value : value.slice(0, q)).slice(1).replace(/\+/g, ' '));
  } catch {
    throw invalid(value);
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalid(value);
  const key = decoded.slice(slash + 1);
  const keyError = objectKeyError(key);
  if (keyError !== undefined) throw keyError;
  const source: CopySource = { bucket: decoded.slice(0, slash), key };
  const versionId = q < 0 ? undefined : new URLSearchParams(value.slice(q + 1)).get('versionId');
  if (versionId !== undefined && versionId !== null) source.versionId = versionId;
  return source;
}

/**
 * The source version's meta. A source version that is a delete marker is 400 (EC 0016-00000307,
 * https://www.alibabacloud.com/help/en/oss/support/0016-00000307; the code is S3's for the same case, InvalidRequest),
 * not the 405 a read of it gets; a source whose current version is a delete marker is NoSuchKey.
 */
export async function copySourceMeta(s: OperationServices, source: CopySource): Promise<ObjectMeta> {
  try {
    return await s.store.headObject(source.bucket, source.key, source.versionId);
  } catch (err) {
    if (err instanceof OssError && err.code === 'MethodNotAllowed' && source.versionId !== undefined) {
      throw new OssError('InvalidRequest', {
        message: 'The source of a copy request may not specifically refer to a delete marker by version id.',
        ec: CAUSE_EC.copySourceDeleteMarker,
      });
    }
    throw err;
  }
}

/** x-oss-copy-source-version-id: the version copied, in a versioned source bucket (developer-reference/copyobject). */
export function copySourceVersionHeaders(source: { versionId?: string }): Record<string, string> {
  return source.versionId === undefined ? {} : { 'x-oss-copy-source-version-id': source.versionId };
}

/**
 * Opens the source object (or the part of it `rangeHeader` selects: an invalid range copies the whole source,
 * docs/protocol.md#multipart) after checking the x-oss-copy-source-if-* conditions; a symlink source is read through
 * (UploadPartCopy; a CopyObject of a link copies the link instead, object-copy.ts), an archived one must be restored
 * first (developer-reference/restoreobject lists CopyObject and UploadPartCopy as reads). The range is resolved against
 * the version actually opened: if the source changed between the HEAD and the open, the open is retried (bounded).
 */
export async function openCopySource(
  s: OperationServices,
  ex: Exchange,
  source: CopySource,
  rangeHeader?: string,
): Promise<{ meta: ObjectMeta; body: Readable; range: ByteRange | undefined } | 'not-modified'> {
  await copySourceMeta(s, source);
  let view = await resolveObject(s, source.bucket, source.key, source.versionId);
  for (let attempt = 0; ; attempt++) {
    const { meta, content } = view;
    assertReadable(content, new Date());
    if (checkCopySourceConditions(ex, meta) === 'not-modified') return 'not-modified';
    const range = resolveRange(rangeHeader, meta.size, false);
    const opened = await s.store.readObject(content.bucket, content.key, range, content.versionId ?? source.versionId);
    if (opened.meta.etag === content.etag || attempt >= 3) return { meta, body: opened.body, range };
    opened.body.destroy();
    view =
      meta === content
        ? { meta: opened.meta, content: opened.meta }
        : { meta: linkView(meta, opened.meta), content: opened.meta };
  }
}
