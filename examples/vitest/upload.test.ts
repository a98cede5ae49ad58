import OSS from 'ali-oss';
import { ossMock } from 'oss-mock/vitest';
import { beforeEach, expect, it } from 'vitest';

const mock = ossMock();
const client = new OSS({
  endpoint: mock.endpoint,
  region: `oss-${mock.region}`,
  accessKeyId: mock.accessKeyId,
  accessKeySecret: mock.accessKeySecret,
  bucket: 'example-bucket',
});

beforeEach(async () => {
  await mock.reset(); // every test starts from an empty mock
  await client.putBucket('example-bucket');
});

it('stores an object and reads it back', async () => {
  await client.put('greeting.txt', Buffer.from('hello'));
  const { content } = await client.get('greeting.txt');
  expect(String(content)).toBe('hello');
});

it('sees nothing a previous test stored', async () => {
  const { objects } = await client.list({ 'max-keys': 10 }, {});
  expect(objects ?? []).toEqual([]);
});
