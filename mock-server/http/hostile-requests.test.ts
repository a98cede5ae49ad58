// Requests a client library would never send, on a listening mock and a raw socket: whatever they carry, the
// answer is the 4xx OSS gives, nothing unreadable is stored, two names never become one, and a refused request
// leaves nothing open.
import OSS from 'ali-oss';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../index.js';
import { FileStore } from '../storage/file-store.js';
import { BUCKET, HEADERS, stage } from '../storage/test-support/fixtures.js';
import { errorOf, rawExchange, v1Headers, xmlBody, xmlList } from './test-support/test-mock.js';

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

function md5Base64(text: string): string {
  return createHash('md5').update(text).digest('base64');
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

/** Sends `head` (CRLF-joined here), then `body` only if the server first answers 100 Continue; the whole exchange. */
function expectContinue(port: number, head: string, body: string): Promise<{ first: string; all: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(`${head.replace(/\r?\n/g, '\r\n')}\r\nConnection: close\r\n\r\n`);
    });
    let all = '';
    let first: string | undefined;
    socket.on('data', (chunk: Buffer) => {
      all += chunk.toString('latin1');
      if (first === undefined && all.includes('\r\n')) {
        first = all.slice(0, all.indexOf('\r\n'));
        if (first.startsWith('HTTP/1.1 100')) socket.write(body);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ first: first ?? '', all }));
  });
}

describe('Expect: 100-continue', () => {
  let mock: MockOssHandle;
  beforeAll(async () => {
    mock = await startMockOss();
    const headers = v1Headers(mock, { method: 'PUT', bucket: 'continued', query: [] });
    expect((await fetch(`${mock.endpoint}/continued`, { method: 'PUT', headers })).status).toBe(200);
  });
  afterAll(() => mock.close());

  function signedPut(bucket: string, key: string, length: number): string {
    const headers = v1Headers(mock, { method: 'PUT', bucket, key, query: [], headers: {} });
    return [
      `PUT /${bucket}/${key} HTTP/1.1`,
      `Host: 127.0.0.1:${mock.port}`,
      `Content-Length: ${length}`,
      'Expect: 100-continue',
      `Date: ${headers.date}`,
      `Authorization: ${headers.authorization}`,
    ].join('\n');
  }

  it('answers a request that fails authentication 403 without asking for the body', async () => {
    const head = [
      'PUT /continued/anonymous HTTP/1.1',
      `Host: 127.0.0.1:${mock.port}`,
      'Content-Length: 5',
      'Expect: 100-continue',
    ].join('\n');
    const { first } = await expectContinue(mock.port, head, 'never');
    expect(first).toBe('HTTP/1.1 403 Forbidden');
  });

  it('answers a PUT into a missing bucket 404 without asking for the body', async () => {
    const { first } = await expectContinue(mock.port, signedPut('missing-bucket', 'k', 5), 'never');
    expect(first).toBe('HTTP/1.1 404 Not Found');
  });

  it('asks for the body of a request it will store, then stores it', async () => {
    const { first, all } = await expectContinue(mock.port, signedPut('continued', 'k', 5), 'hello');
    expect(first).toBe('HTTP/1.1 100 Continue');
    expect(all).toMatch(/\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });
});

describe('transfer codings', () => {
  let mock: MockOssHandle;
  beforeAll(async () => {
    mock = await startMockOss({ auth: false });
    expect((await raw(mock, 'PUT /codings HTTP/1.1')).status).toBe(200);
  });
  afterAll(() => mock.close());

  const framed = '5\r\nhello\r\n0\r\n\r\n';

  it.each(['chunked, identity', 'identity', 'gzip, chunked', 'chunked, chunked'])(
    'refuses Transfer-Encoding: %s with 501 NotImplemented and stores nothing',
    async (coding) => {
      const res = await raw(mock, `PUT /codings/k HTTP/1.1\nTransfer-Encoding: ${coding}`, framed);
      expect([res.status, code(res)]).toEqual([501, 'NotImplemented']);
      expect(res.headers.connection).toBe('close');
      expect((await raw(mock, 'HEAD /codings/k HTTP/1.1')).status).toBe(404);
    },
  );

  it('reads a single chunked coding', async () => {
    const put = parseRaw(
      await rawExchange(mock.port, `PUT /codings/ok HTTP/1.1\nHost: x\nTransfer-Encoding: chunked`, framed),
    );
    expect(put.status).toBe(200);
    expect((await raw(mock, 'GET /codings/ok HTTP/1.1')).text).toBe('hello');
  });
});

describe('the control API under the OSS routes’ limits', () => {
  let mock: MockOssHandle;
  beforeAll(async () => {
    mock = await startMockOss({ auth: false, bodyIdleTimeoutMs: 300 });
    expect((await raw(mock, 'PUT /limits HTTP/1.1')).status).toBe(200);
  });
  afterAll(() => mock.close());

  /** Sends a head promising 100 bytes and 10 of them, then waits for the answer (bounded: a hang fails). */
  function stalled(head: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: mock.port }, () => {
        socket.write(`${head}\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"match":{`);
      });
      let text = '';
      const guard = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer to a stalled body: ${JSON.stringify(text)}`));
      }, 10_000);
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('error', reject);
      socket.on('close', () => {
        clearTimeout(guard);
        resolve(text);
      });
    });
  }

  it('answers a stalled control request body 400 and closes, as it does on an OSS route', async () => {
    const control = await stalled('POST /_mock/rules HTTP/1.1');
    expect(control).toMatch(/^HTTP\/1\.1 400 /);
    expect(control).toContain('RequestTimeout');
    expect(control.toLowerCase()).toContain('connection: close');
    const oss = await stalled('PUT /limits/k HTTP/1.1');
    expect(oss).toMatch(/^HTTP\/1\.1 400 /);
    expect(oss).toContain('<Code>RequestTimeout</Code>');
  });

  it('sees a Content-MD5 after 2000 other header lines', async () => {
    const filler = Array.from({ length: 2001 }, () => 'a: 1').join('\n');
    const wrong = await raw(mock, `PUT /limits/md5 HTTP/1.1\n${filler}\nContent-MD5: ${md5Base64('other')}`, 'body');
    expect([wrong.status, code(wrong)]).toEqual([400, 'InvalidDigest']);
    const right = await raw(mock, `PUT /limits/md5 HTTP/1.1\n${filler}\nContent-MD5: ${md5Base64('body')}`, 'body');
    expect(right.status).toBe(200);
  });

  it('still parses control JSON, refuses bad JSON and answers an empty body', async () => {
    const rule = await fetch(`${mock.endpoint}/_mock/rules`, {
      method: 'POST',
      body: JSON.stringify({ match: { keyPrefix: 'x' }, delayMs: 1 }),
    });
    expect(rule.status).toBe(201);
    const bad = await fetch(`${mock.endpoint}/_mock/rules`, { method: 'POST', body: '{"match": ' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: '', error: expect.stringContaining('bad JSON body') });
    expect((await fetch(`${mock.endpoint}/_mock/reset`, { method: 'POST' })).status).toBe(200);
  });
});
