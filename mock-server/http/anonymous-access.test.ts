// Unsigned requests while authentication is on: the bucket and object ACLs decide (docs/protocol.md#object-acl).
// Setup goes through the project's OssClient (signed); the anonymous requests are plain HTTP.
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssClient } from '../../client/client.js';
import { startMockOss, type MockOssHandle } from '../index.js';
import { errorOf } from './test-support/test-mock.js';

let mock: MockOssHandle;
let owner: OssClient;
let anon: ReturnType<typeof supertest>;

beforeAll(async () => {
  mock = await startMockOss({ auth: true });
  owner = new OssClient({
    endpoint: mock.endpoint,
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
  });
  anon = supertest(mock.endpoint);
  await owner.putBucket({ bucket: 'private-bucket' });
  await owner.putBucket({ bucket: 'public-bucket', acl: 'public-read' });
  await owner.putBucket({ bucket: 'open-bucket', acl: 'public-read-write' });
  const body = Buffer.from('hello');
  await owner.putObject({ bucket: 'private-bucket', key: 'secret', body, contentType: 'text/plain' });
  await owner.putObject({
    bucket: 'private-bucket',
    key: 'shared',
    body,
    acl: 'public-read',
    contentType: 'text/plain',
  });
  await owner.putObject({ bucket: 'public-bucket', key: 'default', body, contentType: 'text/plain' });
  await owner.putObject({ bucket: 'public-bucket', key: 'hidden', body, acl: 'private' });
  await owner.putSymlink({ bucket: 'public-bucket', key: 'link-to-hidden', target: 'hidden' });
});
afterAll(async () => {
  owner.close();
  await mock.close();
});

function denied(res: { status: number; text: string; headers: Record<string, string> }): Record<string, unknown> {
  expect(res.status).toBe(403);
  const err = errorOf(res);
  expect(err.Code).toBe('AccessDenied');
  return err;
}

describe('anonymous reads', () => {
  it('a public-read object in a private bucket, and a default object in a public-read bucket, can be read', async () => {
    expect((await anon.get('/private-bucket/shared').expect(200)).text).toBe('hello');
    await anon.head('/private-bucket/shared').expect(200);
    expect((await anon.get('/public-bucket/default').expect(200)).text).toBe('hello');
    await anon.get('/public-bucket/?list-type=2').expect(200);
  });

  it('a private object, or any object of a private bucket, is AccessDenied; so is a link to a private target', async () => {
    expect(denied(await anon.get('/private-bucket/secret')).Message).toBe(
      'You have no right to access this object because of bucket acl.',
    );
    expect(denied(await anon.get('/public-bucket/hidden')).Message).toBe('You have no right to access this object.');
    denied(await anon.get('/public-bucket/link-to-hidden'));
    denied(await anon.get('/private-bucket/?list-type=2'));
    denied(await anon.get('/private-bucket/nothing-here'));
    // HEAD carries the error in x-oss-err
    denied(await anon.head('/private-bucket/secret'));
  });

  it('a missing bucket stays NoSuchBucket; a missing key of a public bucket NoSuchKey', async () => {
    expect((await anon.get('/no-such-bucket/k')).status).toBe(404);
    expect(errorOf(await anon.get('/public-bucket/nothing-here')).Code).toBe('NoSuchKey');
  });

  it('the object ACL wins over the bucket ACL both ways, and changing either changes the answer', async () => {
    await owner.putObjectAcl({ bucket: 'private-bucket', key: 'secret', acl: 'public-read' });
    await anon.get('/private-bucket/secret').expect(200);
    await owner.putObjectAcl({ bucket: 'private-bucket', key: 'secret', acl: 'default' });
    denied(await anon.get('/private-bucket/secret'));
  });
});

describe('anonymous writes and owner-only operations', () => {
  it('a public-read-write bucket takes anonymous writes; a public-read one does not', async () => {
    await anon.put('/open-bucket/from-anyone').send('x').expect(200);
    expect((await owner.getObject({ bucket: 'open-bucket', key: 'from-anyone' })).content.toString()).toBe('x');
    await anon.delete('/open-bucket/from-anyone').expect(204);
    denied(await anon.put('/public-bucket/from-anyone').send('x'));
    denied(await anon.delete('/public-bucket/default'));
  });

  it('ACL, tagging, restore and bucket operations are the owner’s, whatever the ACLs', async () => {
    for (const res of [
      await anon.get('/public-bucket/default?acl'),
      await anon.get('/open-bucket/?acl'),
      await anon.put('/open-bucket/k?acl').set('x-oss-object-acl', 'public-read'),
      await anon.get('/public-bucket/default?tagging'),
      await anon.post('/public-bucket/default?restore'),
      await anon.get('/'),
      await anon.put('/new-bucket-by-anyone'),
      await anon.delete('/open-bucket'),
    ]) {
      expect(denied(res).Message).toBe('Anonymous access is forbidden for this operation.');
    }
  });

  it('with auth off every anonymous request is the owner (unchanged)', async () => {
    const open = await startMockOss({ auth: false });
    try {
      await supertest(open.endpoint).put('/any-bucket').expect(200);
      await supertest(open.endpoint).put('/any-bucket/k?acl').set('x-oss-object-acl', 'private').expect(404);
    } finally {
      await open.close();
    }
  });
});
