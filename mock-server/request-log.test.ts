// The request log (--log-level, --log-format): one record per answered request, through ali-oss against a listening
// mock; nothing at all at level silent, startMockOss()'s default.
import OSS from 'ali-oss';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle, type MockOssOptions } from './index.js';

const running: MockOssHandle[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.close()));
});

async function logged(options: MockOssOptions): Promise<{ mock: MockOssHandle; lines: string[]; client: OSS }> {
  const lines: string[] = [];
  const mock = await startMockOss({ ...options, logDestination: { write: (line: string) => lines.push(line) } });
  running.push(mock);
  const client = new OSS({
    endpoint: mock.endpoint,
    region: `oss-${mock.region}`,
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    bucket: 'log-bucket',
  });
  return { mock, lines, client };
}

const records = (lines: string[]): Array<Record<string, unknown>> =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('request log', () => {
  it('json: one record per OSS request with method, path, operation, status, code, bytes, ms and request id', async () => {
    const { lines, client } = await logged({ logLevel: 'info', logFormat: 'json' });
    await client.putBucket('log-bucket');
    const put = await client.put('dir/k.txt', Buffer.alloc(1000, 'a'));
    await client.get('dir/k.txt');
    const missing = await client.get('nope').catch((err: { status: number }) => err);
    expect(missing).toMatchObject({ status: 404 });

    const rs = records(lines);
    expect(rs.map((r) => [r.method, r.path, r.operation, r.status, r.code])).toEqual([
      ['PUT', '/', 'PutBucket', 200, undefined],
      ['PUT', '/dir/k.txt', 'PutObject', 200, undefined],
      ['GET', '/dir/k.txt', 'GetObject', 200, undefined],
      ['GET', '/nope', 'GetObject', 404, 'NoSuchKey'],
    ]);
    const [, putRecord, getRecord] = rs;
    expect(putRecord).toMatchObject({
      level: 'info',
      msg: 'request',
      requestId: (put.res.headers as Record<string, string>)['x-oss-request-id'],
    });
    // bytes on the connection, headers included: the 1000-byte body came in with the PUT and went out with the GET
    expect(putRecord!.bytesIn).toBeGreaterThan(1000);
    expect(putRecord!.bytesOut).toBeLessThan(1000);
    expect(getRecord!.bytesIn).toBeLessThan(1000);
    expect(getRecord!.bytesOut).toBeGreaterThan(1000);
    for (const r of rs) {
      expect(typeof r.ms).toBe('number');
      expect(r.requestId).toMatch(/^[0-9A-F]{24}$/);
      expect(new Date(String(r.time)).toISOString()).toBe(r.time);
    }
  });

  it('text: one line per request with the same facts', async () => {
    const { lines, client } = await logged({ logLevel: 'info' });
    await client.putBucket('log-bucket');
    await client.get('nope').catch(() => undefined);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/nope 404 NoSuchKey GetObject \([\d.]+ ms, in \d+ B, out \d+ B\) [0-9A-F]{24}\n$/,
    );
  });

  it('info leaves out control API calls; debug logs them too', async () => {
    for (const logLevel of ['info', 'debug'] as const) {
      const { mock, lines } = await logged({ logLevel, logFormat: 'json' });
      await fetch(`${mock.endpoint}/_mock/health`);
      const paths = records(lines).map((r) => r.path);
      expect(paths).toEqual(logLevel === 'debug' ? ['/_mock/health'] : []);
    }
  });

  it('error logs only answers of 5xx and requests cut without one', async () => {
    const { mock, lines, client } = await logged({ logLevel: 'error', logFormat: 'json' });
    await client.putBucket('log-bucket');
    mock.control.addRule({ match: { operation: 'GetObject' }, fault: { type: 'error', status: 503, code: 'Busy' } });
    await client.get('k').catch(() => undefined);
    expect(records(lines).map((r) => [r.level, r.operation, r.status, r.code])).toEqual([
      ['error', 'GetObject', 503, 'Busy'],
    ]);
  });

  it('silent (the default of startMockOss) writes nothing', async () => {
    for (const options of [{}, { logLevel: 'silent' as const }]) {
      const { lines, client } = await logged(options);
      await client.putBucket('log-bucket');
      await client.get('nope').catch(() => undefined);
      expect(lines).toEqual([]);
    }
  });
});
