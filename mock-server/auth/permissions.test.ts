import { describe, expect, it } from 'vitest';
import { OssError } from '../../protocol/errors.js';
import { OPERATIONS } from '../exchange/exchange.js';
import { OPERATION_TABLE } from '../operations/table.js';
import type { Identity } from '../control/identities.js';
import type { Permissions } from '../exchange/identity.js';
import { authorize, isReadAction, type AuthorizeInput } from './permissions.js';

const identity = (permissions: Permissions): Identity => ({
  accessKeyId: 'who',
  accessKeySecret: 's',
  kind: 'permanent',
  minted: false,
  permissions,
});

const op = (operation: AuthorizeInput['operation'], bucket?: string): AuthorizeInput => ({
  operation,
  action: OPERATION_TABLE[operation].action,
  ...(bucket === undefined ? {} : { bucket }),
});

function refusal(p: Permissions, input: AuthorizeInput): OssError | undefined {
  try {
    authorize(identity(p), input);
    return undefined;
  } catch (err) {
    if (err instanceof OssError) return err;
    throw err;
  }
}

describe('permissions (docs/protocol.md#permissions)', () => {
  it('classifies every operation as OSS`s read-only policy does (oss:Get*, oss:List*)', () => {
    const reads = OPERATIONS.filter((o) => isReadAction(OPERATION_TABLE[o].action));
    expect(reads.sort()).toEqual(
      [
        'GetBucketAcl',
        'GetBucketCors',
        'GetBucketInfo',
        'GetBucketLocation',
        'GetBucketVersioning',
        'GetObject',
        'GetObjectAcl',
        'GetObjectMeta',
        'GetObjectTagging',
        'GetSymlink',
        'HeadObject',
        'ListBuckets',
        'ListMultipartUploads',
        'ListObjects',
        'ListObjectVersions',
        'ListObjectsV2',
        'ListParts',
      ].sort(),
    );
  });

  it('full access (the default) allows everything', () => {
    for (const o of OPERATIONS) expect(refusal({}, op(o, 'b'))).toBeUndefined();
  });

  it('read-only refuses writes with AccessDenied naming the action; write-only refuses reads', () => {
    expect(refusal({ access: 'read-only' }, op('GetObject', 'b'))).toBeUndefined();
    const err = refusal({ access: 'read-only' }, op('PutObject', 'b'))!;
    expect([err.code, err.status, err.ec, err.extra.AuthAction]).toEqual([
      'AccessDenied',
      403,
      '0003-00000001',
      'oss:PutObject',
    ]);
    expect(refusal({ access: 'write-only' }, op('AbortMultipartUpload', 'b'))).toBeUndefined();
    expect(refusal({ access: 'write-only' }, op('HeadObject', 'b'))?.code).toBe('AccessDenied');
  });

  it('an operation list allows exactly those operations', () => {
    const p: Permissions = { access: ['PutObject', 'GetObject'] };
    expect(refusal(p, op('PutObject', 'b'))).toBeUndefined();
    expect(refusal(p, op('HeadObject', 'b'))?.code).toBe('AccessDenied');
  });

  it('buckets: names and * patterns; the service level (ListBuckets) is outside any bucket list', () => {
    const p: Permissions = { buckets: ['photos', 'logs-*'] };
    expect(refusal(p, op('GetObject', 'photos'))).toBeUndefined();
    expect(refusal(p, op('GetObject', 'logs-2024'))).toBeUndefined();
    expect(refusal(p, op('GetObject', 'photos2'))?.extra.Bucket).toBe('photos2');
    expect(refusal(p, op('GetObject', 'xlogs-1'))?.code).toBe('AccessDenied');
    expect(refusal(p, op('ListBuckets'))?.code).toBe('AccessDenied');
  });

  it('a copy also needs oss:GetObject on its source bucket', () => {
    const copy = (source: string): AuthorizeInput => ({ ...op('CopyObject', 'dst'), copySourceBucket: () => source });
    expect(refusal({ buckets: ['dst', 'src'] }, copy('src'))).toBeUndefined();
    expect(refusal({ buckets: ['dst'] }, copy('src'))?.extra.AuthAction).toBe('oss:GetObject');
    expect(refusal({ access: 'write-only' }, copy('src'))?.extra.AuthAction).toBe('oss:GetObject');
    expect(refusal({ access: ['CopyObject', 'GetObject'] }, copy('src'))).toBeUndefined();
  });
});
