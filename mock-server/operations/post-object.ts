// PostObject: the browser form upload, `POST /` to the bucket with a multipart/form-data body
// (developer-reference/postobject; docs/protocol.md#postobject). The form's fields come before its file: once the
// file part begins, the form is authenticated (auth/post-form.ts), its policy checked (protocol/post-policy.ts) and
// the object's headers taken from its fields; the file's bytes then stream through the one body reader into a staged
// body (ingest/form-reader.ts) and are committed only when the whole request ended cleanly.
import { objectKeyError } from '../../protocol/addressing.js';
import { OssError } from '../../protocol/errors.js';
import { quoteEtag } from '../../protocol/etag.js';
import {
  checkPolicyConditions,
  checkPolicyExpiration,
  contentLengthRange,
  parsePostPolicy,
  POLICY_EC,
} from '../../protocol/post-policy.js';
import { verifyPostForm } from '../auth/post-form.js';
import { authorize } from '../auth/permissions.js';
import { closeAfterResponse } from '../exchange/disconnect.js';
import type { Exchange } from '../exchange/exchange.js';
import { sendEmpty, sendXml } from '../exchange/reply.js';
import { requestHeader } from '../exchange/request-target.js';
import { isFormContentType, MAX_FORM_FIELD_BYTES, receiveForm, type FormFileInfo } from '../ingest/form-reader.js';
import { MAX_OBJECT_SIZE } from '../storage/limits.js';
import type { BucketInfo, ObjectHeaders } from '../storage/store.js';
import { checkAnonymousAccess } from './access.js';
import { assertBucket } from './checks.js';
import { emitEvent, type Handler, type OperationServices } from './handler.js';
import { objectHeadersFromRequest } from './object-headers.js';
import { sseResponseHeaders } from './sse.js';

/** A field value as the bytes that arrived (one character per byte) read as UTF-8 text. */
function utf8(value: string): string {
  return Buffer.from(value, 'latin1').toString('utf8');
}

/** The fields as text, for the policy's conditions (which are UTF-8 JSON). */
function textFields(fields: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...fields].map(([name, value]) => [name, utf8(value)]));
}

/**
 * The object's headers from the form, as PutObject takes them from its request headers (the same readers, so the
 * same checks): Cache-Control, Content-Disposition, Content-Encoding, Expires, x-oss-meta-*, x-oss-object-acl,
 * x-oss-storage-class, x-oss-tagging and the SSE fields. The Content-Type is x-oss-content-type, else the file part's
 * own, else the Content-Type field (developer-reference/postobject, x-oss-content-type).
 */
function objectHeadersFromForm(
  ex: Exchange,
  fields: ReadonlyMap<string, string>,
  file: FormFileInfo,
  bucket: BucketInfo,
): ObjectHeaders {
  const headers: Record<string, string> = Object.fromEntries(fields);
  const contentType = fields.get('x-oss-content-type') ?? (file.contentType || fields.get('content-type'));
  if (contentType === undefined) delete headers['content-type'];
  else headers['content-type'] = contentType;
  return objectHeadersFromRequest({ ...ex, req: { headers } as unknown as Exchange['req'] }, bucket);
}

/** The key field with `${filename}` replaced by the file's name (after the policy was checked). */
function objectKeyOf(fields: ReadonlyMap<string, string>, file: FormFileInfo): string {
  const raw = fields.get('key');
  if (raw === undefined) {
    throw new OssError('InvalidArgument', {
      message: "Bucket POST must contain a field named 'key'.",
      extra: { ArgumentName: 'key' },
    });
  }
  const key = utf8(raw).split('${filename}').join(file.filename);
  const error = objectKeyError(key);
  if (error !== undefined) throw error;
  return key;
}

/** success_action_status: 200, 201 or 204; anything else (or nothing) is 204 (developer-reference/postobject). */
function successStatus(fields: ReadonlyMap<string, string>): 200 | 201 | 204 {
  const value = fields.get('success_action_status')?.trim();
  return value === '200' ? 200 : value === '201' ? 201 : 204;
}

/** An absolute http(s) URL to send the browser to; anything else is not one OSS could redirect to. */
function redirectTarget(fields: ReadonlyMap<string, string>): URL | undefined {
  const value = fields.get('success_action_redirect');
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(utf8(value));
  } catch {
    throw new OssError('InvalidArgument', {
      message: 'The success_action_redirect is not a valid URL.',
      extra: { ArgumentName: 'success_action_redirect', ArgumentValue: value },
    });
  }
  return url;
}

interface Accepted {
  key: string;
  headers: ObjectHeaders;
  forbidOverwrite: boolean;
  range: { min: number; max: number } | undefined;
}

/** Everything decided when the file part begins: authentication, policy, key and headers. */
async function acceptForm(
  ex: Exchange,
  s: OperationServices,
  info: BucketInfo,
  fields: ReadonlyMap<string, string>,
  file: FormFileInfo,
): Promise<Accepted> {
  const bucket = info.name;
  // the server clock (--clock-offset), as for header signatures and STS expiry
  const now = s.control.clock.date();
  const { scheme, identity } = verifyPostForm({ auth: s.config.auth, identities: s.control.identities }, fields, now);
  // the form's signer needs oss:PutObject on the bucket (developer-reference/postobject)
  if (identity !== undefined) authorize(identity, { operation: 'PostObject', action: 'oss:PutObject', bucket });
  const policyField = fields.get('policy');
  const policy = policyField === undefined ? undefined : parsePostPolicy(policyField);
  if (policy !== undefined) {
    checkPolicyExpiration(policy, now);
    checkPolicyConditions(policy, textFields(fields), bucket);
  }
  const key = objectKeyOf(fields, file);
  // from here on the key is known: events and the in-flight registry name it
  ex.ctx.key = key;
  if (scheme === 'anonymous' && s.config.auth) await checkAnonymousAccess(s, 'PostObject', { bucket, key }, undefined);
  const headers = objectHeadersFromForm(ex, fields, file, info);
  const forbidOverwrite = fields.get('x-oss-forbid-overwrite')?.trim().toLowerCase() === 'true';
  return { key, headers, forbidOverwrite, range: policy === undefined ? undefined : contentLengthRange(policy) };
}

function tooLarge(): OssError {
  return new OssError('EntityTooLarge', { ec: POLICY_EC.fileTooLarge });
}

export const postObject: Handler = async (ex, s) => {
  const bucket = ex.ctx.bucket!;
  const contentType = requestHeader(ex.req, 'content-type');
  if (!isFormContentType(contentType)) {
    if (!ex.req.complete) closeAfterResponse(ex.res);
    // https://www.alibabacloud.com/help/en/oss/support/http-400-status-code (RequestIsNotMultiPartContent)
    throw new OssError('RequestIsNotMultiPartContent');
  }
  const info = await assertBucket(s, bucket);
  let accepted: Accepted | undefined;
  const form = await receiveForm(ex, s.control, contentType, {
    // the file may be 5 GB; its fields before it 8 MB more, plus the part headers and boundaries
    maxBodySize: MAX_OBJECT_SIZE + MAX_FORM_FIELD_BYTES + 1024 * 1024,
    onFile: async (fields, file) => {
      accepted = await acceptForm(ex, s, info, fields, file);
      const max = Math.min(accepted.range?.max ?? MAX_OBJECT_SIZE, MAX_OBJECT_SIZE);
      return { sink: await s.store.createStagedBody(), maxSize: max, tooLarge };
    },
  });
  const { key, headers, forbidOverwrite, range } = accepted!;
  let meta;
  try {
    if (range !== undefined && form.digest.size < range.min) {
      throw new OssError('EntityTooSmall', { ec: POLICY_EC.fileTooSmall });
    }
    meta = await s.store.putObject(bucket, key, form.sink, headers, { forbidOverwrite });
  } finally {
    // a no-op once committed (store.ts contract)
    await form.sink.discard();
  }
  emitEvent(ex, s, { type: 'object.committed', size: meta.size, etag: meta.etag });
  const answer = {
    ETag: quoteEtag(meta.etag),
    'x-oss-hash-crc64ecma': meta.crc64,
    'Content-MD5': meta.contentMd5,
    ...sseResponseHeaders(meta.sse),
  };
  const redirect = redirectTarget(form.fields);
  if (redirect !== undefined) {
    // the browser is sent on with where the object went, as S3's form upload does (OSS's page names the field only)
    redirect.searchParams.set('bucket', bucket);
    redirect.searchParams.set('key', key);
    redirect.searchParams.set('etag', quoteEtag(meta.etag));
    sendEmpty(ex, 303, { ...answer, Location: redirect.toString() });
    return;
  }
  const status = successStatus(form.fields);
  if (status === 201) {
    const scheme = (ex.req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
    // virtual-hosted (the bucket is in the Host) or path style, as the form was posted
    const path = ex.host.startsWith(`${bucket}.`) ? `/${encodeURI(key)}` : `/${bucket}/${encodeURI(key)}`;
    sendXml(
      ex,
      'PostResponse',
      {
        Bucket: bucket,
        Location: `${scheme}://${ex.host}${path}`,
        Key: key,
        ETag: quoteEtag(meta.etag),
      },
      answer,
      201,
    );
    return;
  }
  sendEmpty(ex, status, answer);
};
