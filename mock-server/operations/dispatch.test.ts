import { describe, expect, it } from 'vitest';
import { OssError } from '../../protocol/errors.js';
import { dispatch, type DispatchInput } from './dispatch.js';

function op(method: string, level: DispatchInput['level'], query: Record<string, string> = {}, hasCopySource = false) {
  return dispatch({ method, level, query, hasCopySource });
}

function errorOf(fn: () => unknown): OssError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OssError) return err;
    throw err;
  }
  throw new Error('expected an OssError');
}

describe('dispatch (docs/protocol.md#query-parameters)', () => {
  it.each([
    ['GET', 'service', {}, false, 'ListBuckets'],
    ['PUT', 'bucket', {}, false, 'PutBucket'],
    ['DELETE', 'bucket', {}, false, 'DeleteBucket'],
    ['GET', 'bucket', { bucketInfo: '' }, false, 'GetBucketInfo'],
    ['GET', 'bucket', { location: '' }, false, 'GetBucketLocation'],
    ['GET', 'bucket', { acl: '' }, false, 'GetBucketAcl'],
    ['PUT', 'bucket', { acl: '' }, false, 'PutBucketAcl'],
    ['PUT', 'object', { tagging: '' }, false, 'PutObjectTagging'],
    ['GET', 'object', { tagging: '', versionId: 'null' }, false, 'GetObjectTagging'],
    ['DELETE', 'object', { tagging: '' }, false, 'DeleteObjectTagging'],
    ['PUT', 'object', { acl: '' }, false, 'PutObjectAcl'],
    ['GET', 'object', { acl: '' }, false, 'GetObjectAcl'],
    ['PUT', 'object', { symlink: '' }, false, 'PutSymlink'],
    ['GET', 'object', { symlink: '' }, false, 'GetSymlink'],
    ['POST', 'object', { restore: '' }, false, 'RestoreObject'],
    ['GET', 'bucket', { uploads: '' }, false, 'ListMultipartUploads'],
    ['GET', 'bucket', { 'list-type': '2', 'continuation-token': '' }, false, 'ListObjectsV2'],
    ['GET', 'bucket', { prefix: '', marker: '', 'max-keys': '100' }, false, 'ListObjects'],
    ['POST', 'bucket', { delete: '' }, false, 'DeleteMultipleObjects'],
    ['PUT', 'object', { partNumber: '1', uploadId: 'U' }, true, 'UploadPartCopy'],
    ['PUT', 'object', { partNumber: '1', uploadId: 'U' }, false, 'UploadPart'],
    ['PUT', 'object', {}, true, 'CopyObject'],
    ['PUT', 'object', {}, false, 'PutObject'],
    ['GET', 'object', { uploadId: 'U', 'max-parts': '1' }, false, 'ListParts'],
    ['GET', 'object', { 'response-content-type': 'text/plain' }, false, 'GetObject'],
    ['HEAD', 'object', { objectMeta: '' }, false, 'GetObjectMeta'],
    ['HEAD', 'object', {}, false, 'HeadObject'],
    ['POST', 'object', { uploads: '' }, false, 'InitiateMultipartUpload'],
    ['POST', 'object', { uploadId: 'U' }, false, 'CompleteMultipartUpload'],
    ['POST', 'object', { append: '', position: '0' }, false, 'AppendObject'],
    ['DELETE', 'object', { uploadId: 'U' }, false, 'AbortMultipartUpload'],
    ['DELETE', 'object', {}, false, 'DeleteObject'],
  ] as const)('%s %s %j (copy source: %s) is %s', (method, level, query, copy, expected) => {
    expect(op(method, level, { ...query }, copy)).toBe(expected);
  });

  it('never lets a multipart marker fall through to a plain object write', () => {
    const err = errorOf(() => op('PUT', 'object', { uploadId: 'U' }));
    expect(err.code).toBe('InvalidRequest');
    expect(err.status).toBe(400);
  });

  it('refuses OSS sub-resources the mock does not implement with NotImplemented', () => {
    const err = errorOf(() => op('PUT', 'bucket', { lifecycle: '' }));
    expect(err.code).toBe('NotImplemented');
    expect(err.extra.SubResource).toBe('lifecycle');
    // a marker of an operation on another method or level: GetBucketAcl's marker on an object DELETE
    expect(errorOf(() => op('DELETE', 'object', { acl: '' })).extra.SubResource).toBe('acl');
  });

  it('answers x-oss-process the same way on every method and target, whatever else the request carries', () => {
    for (const [method, level, query] of [
      ['GET', 'object', { 'x-oss-process': 'image/resize,w_100' }],
      ['POST', 'object', { 'x-oss-process': '' }],
      ['HEAD', 'object', { 'x-oss-process': 'image/info' }],
      ['PUT', 'object', { 'x-oss-process': '', tagging: '' }],
      ['GET', 'bucket', { 'x-oss-async-process': '' }],
      ['PATCH', 'service', { 'x-oss-process': 'x' }],
    ] as const) {
      const err = errorOf(() => op(method, level, { ...query }));
      expect(err.code).toBe('NotImplemented');
      expect(err.status).toBe(400);
      expect(err.message).toContain('does not implement data processing');
    }
  });

  it('answers 405 MethodNotAllowed for a method the target level has no operation for', () => {
    const err = errorOf(() => op('PATCH', 'object'));
    expect(err.code).toBe('MethodNotAllowed');
    expect(err.status).toBe(405);
    expect(err.headers.Allow).toContain('PUT');
    expect(errorOf(() => op('DELETE', 'service')).code).toBe('MethodNotAllowed');
  });

  it('ignores plain (unsigned) parameters and request modifiers', () => {
    expect(op('GET', 'object', { versionId: 'null', 'x-oss-traffic-limit': '819200', foo: 'bar' })).toBe('GetObject');
  });
});
