// node --test: the same mock without vitest (Jest: startMock() in globalSetup, stop() in globalTeardown)
import OSS from 'ali-oss';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { after, before, beforeEach, test } from 'node:test';
import { startMock } from 'oss-mock';

let mock;
let client;

before(async () => {
  mock = await startMock();
  client = new OSS({
    endpoint: mock.endpoint,
    region: `oss-${mock.region}`,
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    bucket: 'example-bucket',
  });
});
after(() => mock.stop());
beforeEach(async () => {
  await mock.reset();
  await client.putBucket('example-bucket');
});

test('stores an object and reads it back', async () => {
  await client.put('greeting.txt', Buffer.from('hello'));
  const { content } = await client.get('greeting.txt');
  assert.equal(String(content), 'hello');
});

test('sees nothing a previous test stored', async () => {
  const { objects } = await client.list({ 'max-keys': 10 }, {});
  assert.deepEqual(objects ?? [], []);
});
