// Storage classes and RestoreObject on the wire (docs/protocol.md#storage-classes-and-restore): the class on writes,
// HEAD and listings; GetObject of a frozen archived object; 202 / 409 / 200 and x-oss-restore; the request body's
// rules per class; the restore delay as a setting (startMockOss option and the control API).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestMock, xmlBody, xmlList, type TestMock } from '../http/test-support/test-mock.js';

let t: TestMock;
const B = '/restore-bucket';
/** long enough that a restore started by a test is still running when it looks */
const SLOW = 60_000;
beforeAll(async () => {
  t = await startTestMock({ restoreDelayMs: SLOW });
  await t.http.put(B).expect(200);
});
afterAll(() => t.close());

async function putArchived(key: string, storageClass = 'Archive'): Promise<void> {
  await t.http.put(`${B}/${key}`).set('x-oss-storage-class', storageClass).send(`body of ${key}`).expect(200);
}

function expectError(
  res: { status: number; text: string; headers: Record<string, string> },
  status: number,
  code: string,
  ec?: string,
) {
  expect(res.status).toBe(status);
  const err = errorOf(res);
  expect(err.Code).toBe(code);
  if (ec !== undefined) expect(err.EC).toBe(ec);
  return err;
}

describe('storage classes', () => {
  it('x-oss-storage-class on PUT, Copy and Initiate is what HEAD and listings report; absent: the bucket class', async () => {
    await putArchived('cold', 'ColdArchive');
    expect((await t.http.head(`${B}/cold`)).headers['x-oss-storage-class']).toBe('ColdArchive');
    await t.http.put(`${B}/std`).send('x').expect(200);
    await t.http.put(`${B}/ia-copy`).set('x-oss-copy-source', `${B}/std`).set('x-oss-storage-class', 'IA').expect(200);
    expect((await t.http.head(`${B}/ia-copy`)).headers['x-oss-storage-class']).toBe('IA');
    const init = await t.http.post(`${B}/deep?uploads`).set('x-oss-storage-class', 'DeepColdArchive').expect(200);
    const uploadId = String(xmlBody(init.text).UploadId);
    const part = await t.http.put(`${B}/deep?partNumber=1&uploadId=${uploadId}`).send('p').expect(200);
    await t.http
      .post(`${B}/deep?uploadId=${uploadId}`)
      .send(
        `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.etag}</ETag></Part></CompleteMultipartUpload>`,
      )
      .expect(200);
    const list = xmlList(xmlBody((await t.http.get(`${B}/?list-type=2`).expect(200)).text).Contents);
    expect(Object.fromEntries(list.map((c) => [c.Key, c.StorageClass]))).toMatchObject({
      cold: 'ColdArchive',
      deep: 'DeepColdArchive',
    });
    // an IA bucket stores IA objects unless told otherwise
    await t.http
      .put('/ia-bucket')
      .send('<CreateBucketConfiguration><StorageClass>IA</StorageClass></CreateBucketConfiguration>')
      .expect(200);
    await t.http.put('/ia-bucket/k').send('x').expect(200);
    expect((await t.http.head('/ia-bucket/k')).headers['x-oss-storage-class']).toBe('IA');
    expectError(
      await t.http.put(`${B}/bad-class`).set('x-oss-storage-class', 'Glacier').send('x'),
      400,
      'InvalidArgument',
    );
  });

  it('GetObject (and a copy from it) of a frozen archived object is 403 InvalidObjectState; HEAD works', async () => {
    await putArchived('frozen');
    const head = await t.http.head(`${B}/frozen`).expect(200);
    expect(head.headers['x-oss-restore']).toBeUndefined();
    const err = expectError(await t.http.get(`${B}/frozen`), 403, 'InvalidObjectState', '0016-00000404');
    expect(err.Message).toBe("The operation is not valid for the object's state");
    expectError(
      await t.http.put(`${B}/copy-of-frozen`).set('x-oss-copy-source', `${B}/frozen`),
      403,
      'InvalidObjectState',
    );
    await t.http.head(`${B}/copy-of-frozen`).expect(404);
  });
});

describe('RestoreObject', () => {
  it('202 the first time, 409 RestoreAlreadyInProgress while restoring; x-oss-restore says ongoing', async () => {
    await putArchived('slow');
    const first = await t.http.post(`${B}/slow?restore`).expect(202);
    expect(first.headers['content-length']).toBe('0');
    const again = expectError(await t.http.post(`${B}/slow?restore`), 409, 'RestoreAlreadyInProgress', '0026-00000011');
    expect(again.Message).toBe('The restore operation is in progress.');
    expect((await t.http.head(`${B}/slow`)).headers['x-oss-restore']).toBe('ongoing-request="true"');
    expectError(await t.http.get(`${B}/slow`), 403, 'InvalidObjectState');
    const listed = xmlList(xmlBody((await t.http.get(`${B}/?prefix=slow`)).text).Contents)[0];
    expect(listed?.RestoreInfo).toBe('ongoing-request="true"');
  });

  it('once restored: readable, x-oss-restore with expiry-date, and another restore is 200', async () => {
    t.mock.control.setRestoreDelay({ restoreDelayMs: 0 });
    try {
      await putArchived('quick');
      await t.http.post(`${B}/quick?restore`).send('<RestoreRequest><Days>2</Days></RestoreRequest>').expect(202);
      const head = await t.http.head(`${B}/quick`).expect(200);
      const match = /^ongoing-request="false", expiry-date="(.+)"$/.exec(head.headers['x-oss-restore'] ?? '');
      expect(match).not.toBeNull();
      const expiry = Date.parse(match![1]!);
      expect(expiry - Date.now()).toBeGreaterThan(47 * 3600_000);
      expect(expiry - Date.now()).toBeLessThanOrEqual(48 * 3600_000);
      expect((await t.http.get(`${B}/quick`).expect(200)).text).toBe('body of quick');
      await t.http.post(`${B}/quick?restore`).expect(200);
      // a restored object can be copied
      await t.http.put(`${B}/quick-copy`).set('x-oss-copy-source', `${B}/quick`).expect(200);
    } finally {
      t.mock.control.setRestoreDelay({ restoreDelayMs: SLOW });
    }
  });

  it('Standard and IA objects: 400 OperationNotSupported with its Detail; a missing key 404', async () => {
    await t.http.put(`${B}/standard`).send('x').expect(200);
    const err = expectError(await t.http.post(`${B}/standard?restore`), 400, 'OperationNotSupported', '0016-00000702');
    expect(err.Detail).toBe('RestoreObject operation does not support this object storage class');
    expectError(await t.http.post(`${B}/nothing?restore`), 404, 'NoSuchKey');
  });

  it('checks the RestoreRequest against the class: Days range, JobParameters and its Tier, unknown elements', async () => {
    await putArchived('archive-body');
    await putArchived('cold-body', 'ColdArchive');
    await putArchived('deep-body', 'DeepColdArchive');
    const post = (key: string, body: string) => t.http.post(`${B}/${key}?restore`).send(body);
    expectError(
      await post('archive-body', '<RestoreRequest><Days>8</Days></RestoreRequest>'),
      400,
      'InvalidArgument',
      '0016-00000708',
    );
    expectError(await post('archive-body', '<RestoreRequest><Days>a</Days></RestoreRequest>'), 400, 'InvalidArgument');
    expectError(
      await post(
        'archive-body',
        '<RestoreRequest><Days>1</Days><JobParameters><Tier>Standard</Tier></JobParameters></RestoreRequest>',
      ),
      400,
      'MalformedXML',
    );
    expectError(
      await post('archive-body', '<RestoreRequest><OutputLocation/></RestoreRequest>'),
      400,
      'MalformedXML',
      '0016-00000710',
    );
    expectError(await post('archive-body', '<Restore/>'), 400, 'MalformedXML');
    expectError(
      await post('cold-body', '<RestoreRequest><Days>366</Days></RestoreRequest>'),
      400,
      'InvalidArgument',
      '0016-00000704',
    );
    expectError(
      await post(
        'cold-body',
        '<RestoreRequest><Days>2</Days><JobParameters><Tier>Test</Tier></JobParameters></RestoreRequest>',
      ),
      400,
      'InvalidArgument',
      '0016-00000703',
    );
    expectError(
      await post('deep-body', '<RestoreRequest><JobParameters><Tier>Bulk</Tier></JobParameters></RestoreRequest>'),
      400,
      'InvalidArgument',
      '0016-00000703',
    );
    // none of the refusals started a restore
    expect((await t.http.head(`${B}/cold-body`)).headers['x-oss-restore']).toBeUndefined();
    await post(
      'cold-body',
      '<RestoreRequest><Days>365</Days><JobParameters><Tier>Bulk</Tier></JobParameters></RestoreRequest>',
    ).expect(202);
    await post(
      'deep-body',
      '<RestoreRequest><Days>3</Days><JobParameters><Tier>Expedited</Tier></JobParameters></RestoreRequest>',
    ).expect(202);
  });
});

describe('the restore delay setting', () => {
  it('is read and changed through GET/POST /_mock/restore-delay, with the bad field named', async () => {
    const control = t.http;
    expect((await control.get('/_mock/restore-delay').expect(200)).body).toEqual({ restoreDelayMs: SLOW });
    expect((await control.post('/_mock/restore-delay').send({ restoreDelayMs: '2s' }).expect(200)).body).toEqual({
      restoreDelayMs: 2000,
    });
    const bad = await control.post('/_mock/restore-delay').send({ restoreDelayMs: -1 }).expect(400);
    expect(bad.body.field).toBe('restoreDelayMs');
    await control.post('/_mock/restore-delay').send({ restoreDelayMs: SLOW }).expect(200);
  });

  it('defaults to one second', async () => {
    const other = await startTestMock();
    try {
      expect(other.mock.control.getRestoreDelay()).toEqual({ restoreDelayMs: 1000 });
    } finally {
      await other.close();
    }
  });
});
