// Requests a client library would never send, on a listening mock and a raw socket: whatever they carry, the
// answer is the 4xx OSS gives, nothing unreadable is stored, two names never become one, and a refused request
// leaves nothing open.
import OSS from 'ali-oss';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../index.js';
import { FileStore } from '../storage/file-store.js';
import { BUCKET, HEADERS, stage } from '../storage/test-support/fixtures.js';
import { errorOf, rawExchange, xmlBody, xmlList } from './test-support/wire.js';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Splits a raw HTTP/1.1 response (one, Connection: close). */
function parseRaw(raw: string): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text: raw.slice(end + 4) };
}

async function raw(mock: MockOssHandle, head: string, body = ''): Promise<RawResponse> {
  const withLength = body === '' ? head : `${head}\nContent-Length: ${Buffer.byteLength(body)}`;
  return parseRaw(await rawExchange(mock.port, `${withLength}\nHost: 127.0.0.1:${mock.port}`, body));
}

function code(res: RawResponse): unknown {
  return errorOf(res).Code;
}

async function openFds(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

describe.each(['memory', 'file'] as const)('header values that could not be sent back (%s store)', (kind) => {
  let mock: MockOssHandle;
  let dataDir: string | undefined;
  beforeAll(async () => {
    dataDir = kind === 'file' ? await mkdtemp(join(tmpdir(), 'oss-mock-ctl-')) : undefined;
    mock = await startMockOss({ auth: false, dataDir });
    expect((await raw(mock, 'PUT /ctl HTTP/1.1')).status).toBe(200);
    expect((await raw(mock, 'PUT /ctl/source HTTP/1.1', 'source')).status).toBe(200);
  });
  afterAll(async () => {
    await mock.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const HEADERS = [
    ['Content-Type', 'text/pl\u0001ain'],
    ['Cache-Control', 'no-\u001fcache'],
    ['Content-Disposition', 'attachment; filename="a\u0007.txt"'],
    ['Expires', 'Thu, 01 Dec 1994 16:00:00 GMT\u007f'],
    ['x-oss-meta-note', 'bell\u0007'],
  ] as const;

  it.each(HEADERS)('refuses %s with a control character at PutObject, stores nothing', async (name, value) => {
    const res = await raw(mock, `PUT /ctl/put-${name} HTTP/1.1\n${name}: ${value}`, 'x');
    expect(res.status).toBe(400);
    const err = errorOf(res);
    expect(err.Code).toBe('InvalidArgument');
    expect(err.ArgumentName).toBe(name.toLowerCase());
    if (name.startsWith('x-oss-meta-')) expect(err.EC).toBe('0011-00000005');
    expect((await raw(mock, `HEAD /ctl/put-${name} HTTP/1.1`)).status).toBe(404);
  });

  it.each(HEADERS)('refuses %s with a control character at Copy, Initiate and Append', async (name, value) => {
    const copy = await raw(
      mock,
      `PUT /ctl/copy HTTP/1.1\nx-oss-copy-source: /ctl/source\nx-oss-metadata-directive: REPLACE\n${name}: ${value}`,
    );
    expect([copy.status, code(copy)]).toEqual([400, 'InvalidArgument']);
    const initiate = await raw(mock, `POST /ctl/mpu?uploads HTTP/1.1\n${name}: ${value}`);
    expect([initiate.status, code(initiate)]).toEqual([400, 'InvalidArgument']);
    const append = await raw(mock, `POST /ctl/appended?append&position=0 HTTP/1.1\n${name}: ${value}`, 'x');
    expect([append.status, code(append)]).toEqual([400, 'InvalidArgument']);
    expect((await raw(mock, 'HEAD /ctl/copy HTTP/1.1')).status).toBe(404);
    expect((await raw(mock, 'HEAD /ctl/appended HTTP/1.1')).status).toBe(404);
    const uploads = xmlBody((await raw(mock, 'GET /ctl?uploads HTTP/1.1')).text);
    expect(xmlList(uploads.Upload)).toEqual([]);
  });

  it('still stores and returns tabs and Latin-1 text, which can be sent back', async () => {
    const put = await raw(mock, 'PUT /ctl/tab HTTP/1.1\nx-oss-meta-note: a\tb\nCache-Control: no-cache', 'x');
    expect(put.status).toBe(200);
    const head = await raw(mock, 'HEAD /ctl/tab HTTP/1.1');
    expect(head.status).toBe(200);
    expect(head.headers['x-oss-meta-note']).toBe('a\tb');
  });
});

describe('keys that are not UTF-8', () => {
  let mock: MockOssHandle;
  beforeAll(async () => {
    mock = await startMockOss({ auth: false });
    expect((await raw(mock, 'PUT /utf HTTP/1.1')).status).toBe(200);
  });
  afterAll(() => mock.close());

  it('refuses %FF and %FE with 400 InvalidObjectName instead of storing both as one key', async () => {
    for (const key of ['a%FF', 'a%FE', 'a%C3', '%ED%A0%80']) {
      const res = await raw(mock, `PUT /utf/${key} HTTP/1.1`, key);
      expect(res.status).toBe(400);
      expect(errorOf(res).Code).toBe('InvalidObjectName');
      expect(errorOf(res).EC).toBe('0016-00000002');
    }
    const listing = xmlBody((await raw(mock, 'GET /utf?list-type=2 HTTP/1.1')).text);
    expect(xmlList(listing.Contents)).toEqual([]);
    expect((await raw(mock, 'PUT /utf/a%C3%A9 HTTP/1.1', 'é')).status).toBe(200);
    expect((await raw(mock, 'GET /utf/a%C3%A9 HTTP/1.1')).text).toBe('é');
  });

  it('answers InvalidBucketName when the bucket of a path-style request is not UTF-8', async () => {
    const res = await raw(mock, 'GET /ut%FFf/k HTTP/1.1');
    expect([res.status, code(res)]).toEqual([400, 'InvalidBucketName']);
  });
});

describe('response-* overrides (file store)', () => {
  let mock: MockOssHandle;
  let dataDir: string;
  let client: OSS;
  const body = Buffer.alloc(256 * 1024, 'r');
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'oss-mock-override-'));
    mock = await startMockOss({ dataDir });
    client = new OSS({
      endpoint: mock.endpoint,
      region: `oss-${mock.region}`,
      bucket: 'overrides',
      accessKeyId: mock.accessKeyId,
      accessKeySecret: mock.accessKeySecret,
      timeout: 10_000,
    });
    await client.putBucket('overrides');
    await client.put('report.bin', body);
  });
  afterAll(async () => {
    await mock.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function status(p: Promise<unknown>): Promise<{ status?: number; code?: string }> {
    try {
      await p;
      return { status: 200 };
    } catch (err) {
      return err as { status: number; code: string };
    }
  }

  it('encodes a Content-Disposition filename outside Latin-1 as RFC 8187 filename*', async () => {
    const got = await client.get('report.bin', {
      subres: { 'response-content-disposition': 'attachment; filename="报告 2024.bin"' },
    } as OSS.GetObjectOptions);
    expect(got.res.status).toBe(200);
    expect(Buffer.compare(got.content as Buffer, body)).toBe(0);
    expect((got.res.headers as Record<string, string>)['content-disposition']).toBe(
      "attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A%202024.bin",
    );
  });

  it('refuses other overrides it cannot send with 400 InvalidArgument', async () => {
    const typed = await status(
      client.get('report.bin', {
        subres: { 'response-content-type': 'text/plain; name=报告' },
      } as OSS.GetObjectOptions),
    );
    expect([typed.status, typed.code]).toEqual([400, 'InvalidArgument']);
    const controlled = await status(
      client.get('report.bin', {
        subres: { 'response-cache-control': 'no-cache\u0001' },
      } as OSS.GetObjectOptions),
    );
    expect([controlled.status, controlled.code]).toEqual([400, 'InvalidArgument']);
  });

  it.runIf(process.platform === 'linux')(
    'leaves no file open and no blob behind after many such requests',
    async () => {
      await client.put('leak.bin', body);
      const before = await openFds();
      const blobsBefore = (await readdir(join(dataDir, 'blobs'))).length;
      for (let i = 0; i < 40; i++) {
        const res = await status(
          client.get('leak.bin', {
            subres: {
              'response-content-language': `语言-${i}`,
              'response-content-disposition': `inline; filename="文件${i}"`,
            },
          } as OSS.GetObjectOptions),
        );
        expect(res.status).toBe(400);
      }
      await client.delete('leak.bin');
      // the deleted object's blob is freed at once: no reader pins it
      expect((await readdir(join(dataDir, 'blobs'))).length).toBe(blobsBefore - 1);
      expect(await openFds()).toBeLessThanOrEqual(before);
    },
  );
});

describe('an object stored before header values were checked (file store)', () => {
  it.runIf(process.platform === 'linux')(
    'answers its GET 500 without leaving the object open, and frees it on DELETE',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'oss-mock-legacy-'));
      try {
        // what an older mock accepted: a control character in a stored header
        const old = new FileStore(dataDir);
        await old.open();
        await old.createBucket(BUCKET);
        await old.putObject(BUCKET.name, 'legacy', await stage(old, 'legacy bytes'), {
          ...HEADERS,
          contentType: 'text/pl\u0001ain',
        });
        await old.close();

        const mock = await startMockOss({ auth: false, dataDir });
        try {
          const before = await openFds();
          for (let i = 0; i < 20; i++) {
            const res = await raw(mock, `GET /${BUCKET.name}/legacy HTTP/1.1`);
            expect([res.status, code(res)]).toEqual([500, 'InternalError']);
          }
          expect(await openFds()).toBeLessThanOrEqual(before);
          expect((await raw(mock, `DELETE /${BUCKET.name}/legacy HTTP/1.1`)).status).toBe(204);
          expect(await readdir(join(dataDir, 'blobs'))).toEqual([]);
        } finally {
          await mock.close();
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );
});
