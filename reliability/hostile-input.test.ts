// Hostile input: every malformed, oversized, forged or stalled request gets the OSS error a real server gives (never a
// 500, a crash or a hang), while a healthy client served in parallel keeps getting its object. Properties are checked
// with fast-check under a fixed seed (OSS_MOCK_SEED replays another).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presignV1, presignV4 } from '../protocol/signing.js';
import { parseXml } from '../protocol/xml.js';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { seedFrom } from './prng.js';
import {
  md5Base64,
  rawExchange,
  rawHead,
  send,
  signedHeaders,
  type WireRequest,
  type WireResponse,
} from '../testkit/requests.js';

const SECRET = 'Hostile-Secret-7c1e9b';
const BUCKET = 'hostile';
const EXISTING = Buffer.from('the healthy client reads this');
// Also the server's header timeout: a healthy request whose headers wait longer than this in an overloaded event loop
// is answered RequestTimeout (400) like a slowloris, so it stays well above the event-loop stalls of a busy machine.
const IDLE_MS = 1_000;
const SEED = seedFrom(process.env, 8201);
const RUNS = 40;

let mock: MockOssHandle;
let uploadId: string;
/** every answer seen, to check that none echoes the secret */
const answers: string[] = [];

function remember(res: WireResponse): WireResponse {
  answers.push(res.body.toString('utf8'), JSON.stringify(res.headers));
  return res;
}

async function call(r: WireRequest): Promise<WireResponse> {
  return remember(await send(mock, r));
}

/** The healthy client: its read must succeed while the hostile request is being handled. */
async function healthy(): Promise<void> {
  const res = await send(mock, { method: 'GET', bucket: BUCKET, key: 'existing' });
  expect([res.status, res.body.equals(EXISTING)]).toEqual([200, true]);
}

/** Runs a hostile exchange next to a healthy one; both must finish. */
async function alongside<T>(hostile: Promise<T>): Promise<T> {
  const [result] = await Promise.all([hostile, healthy()]);
  return result;
}

function expectOssError(res: { status?: number; code?: string }, status: number, code: string): void {
  expect({ status: res.status, code: res.code }).toEqual({ status, code });
}

beforeAll(async () => {
  mock = await startMockOss({ accessKeySecret: SECRET, bodyIdleTimeoutMs: IDLE_MS });
  expect((await send(mock, { method: 'PUT', bucket: BUCKET })).status).toBe(200);
  expect((await send(mock, { method: 'PUT', bucket: BUCKET, key: 'existing', body: EXISTING })).status).toBe(200);
  const init = await send(mock, { method: 'POST', bucket: BUCKET, key: 'mpu', query: [['uploads', undefined]] });
  uploadId = String((parseXml(init.body.toString()).InitiateMultipartUploadResult as Record<string, unknown>).UploadId);
});
afterAll(async () => {
  expect(mock.control.inflight()).toEqual([]);
  await mock.close();
});

const xmlish = fc
  .array(
    fc.constantFrom(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<CompleteMultipartUpload>',
      '</CompleteMultipartUpload>',
      '<Delete>',
      '</Delete>',
      '<Part>',
      '</Part>',
      '<Object>',
      '<Key>',
      '</Key>',
      '<PartNumber>',
      '</PartNumber>',
      '<ETag>',
      '"0123456789ABCDEF0123456789ABCDEF"',
      '1',
      '-1',
      '99999999999',
      '&amp;',
      '&bogus;',
      '&#0;',
      '&#x110000;',
      '<![CDATA[',
      ']]>',
      '<!DOCTYPE d [<!ENTITY e "eeeeeeeeee">]>',
      '&e;',
      '<',
      '>',
      '\u0000',
      '\uFEFF',
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

describe('malformed and oversized XML', () => {
  it('CompleteMultipartUpload bodies never crash the parser and never complete an upload without parts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(xmlish, fc.string({ unit: 'binary', maxLength: 200 })), async (text) => {
        const res = await alongside(
          call({ method: 'POST', bucket: BUCKET, key: 'mpu', query: [['uploadId', uploadId]], body: text }),
        );
        expect(res.status).toBe(400);
        expect(['MalformedXML', 'InvalidPart', 'InvalidArgument', 'InvalidPartOrder']).toContain(res.code);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('DeleteMultipleObjects bodies are MalformedXML or a valid answer, and never delete the healthy object', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(xmlish, fc.string({ unit: 'binary', maxLength: 200 })), async (text) => {
        const res = await alongside(
          call({
            method: 'POST',
            bucket: BUCKET,
            query: [['delete', undefined]],
            body: text,
            headers: { 'content-md5': md5Base64(text) },
          }),
        );
        if (res.status !== 200) expectOssError(res, 400, 'MalformedXML');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('an entity-expansion bomb is refused, not expanded', async () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' +
      '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>' +
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&d;&d;&d;&d;&d;&d;&d;&d;</ETag></Part></CompleteMultipartUpload>';
    const res = await alongside(
      call({ method: 'POST', bucket: BUCKET, key: 'mpu', query: [['uploadId', uploadId]], body: bomb }),
    );
    expect(res.status).toBe(400);
    expect(['MalformedXML', 'InvalidPart']).toContain(res.code);
  });

  it('oversized XML bodies are MalformedXML, declared or chunked', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, ' ');
    // DeleteMultipleObjects requires Content-MD5 (docs/protocol.md#delete-multiple-objects): send it, so the size is
    // what is refused
    const headers = { 'content-md5': md5Base64(big) };
    const declared = await alongside(
      call({ method: 'POST', bucket: BUCKET, query: [['delete', undefined]], body: big, headers }),
    );
    expectOssError(declared, 400, 'MalformedXML');
    const chunked = await alongside(
      call({
        method: 'POST',
        bucket: BUCKET,
        query: [['delete', undefined]],
        body: big,
        headers: { ...headers, 'transfer-encoding': 'chunked' },
      }).catch(
        // the server may close after answering while the client is still sending
        (err: unknown) => ({ status: 0, code: String(err) }) as WireResponse,
      ),
    );
    if (chunked.status !== 0) expectOssError(chunked, 400, 'MalformedXML');
    const complete = await alongside(
      call({
        method: 'POST',
        bucket: BUCKET,
        key: 'mpu',
        query: [['uploadId', uploadId]],
        body: Buffer.alloc(5 * 1024 * 1024 + 1, ' '),
      }),
    );
    expectOssError(complete, 400, 'MalformedXML');
  });
});

describe('bad and conflicting headers', () => {
  const printable = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
  const names = [
    'content-md5',
    'content-type',
    'x-oss-hash-crc64ecma',
    'x-oss-traffic-limit',
    'x-oss-forbid-overwrite',
    'x-oss-storage-class',
    'x-oss-object-acl',
    'x-oss-tagging',
    'x-oss-server-side-encryption',
    'range',
    'x-oss-range-behavior',
    'if-match',
    'if-none-match',
    'if-modified-since',
    'if-unmodified-since',
    'cache-control',
    'expires',
    'content-encoding',
    'x-oss-meta-Odd',
    'x-oss-copy-source',
    'x-oss-complete-all',
  ];

  it('arbitrary values of OSS headers on PUT, GET and Complete: a success or an OSS error, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('PUT', 'GET', 'POST'),
        fc.dictionary(
          fc.constantFrom(...names),
          printable.map((v) => v.trim()),
          { maxKeys: 4 },
        ),
        async (method, headers) => {
          const r: WireRequest =
            method === 'POST'
              ? { method, bucket: BUCKET, key: 'mpu', query: [['uploadId', uploadId]], headers, body: '<bad' }
              : {
                  method,
                  bucket: BUCKET,
                  key: method === 'GET' ? 'existing' : 'prop-put',
                  headers,
                  body: method === 'PUT' ? 'x' : undefined,
                };
          const res = await alongside(call(r));
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(res.code).toMatch(/^[A-Z][A-Za-z0-9]+$/);
        },
      ),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it('a wrong Content-MD5 or CRC-64 is refused and stores nothing', async () => {
    const body = 'checked';
    expectOssError(
      await call({
        method: 'PUT',
        bucket: BUCKET,
        key: 'digest',
        body,
        headers: { 'content-md5': md5Base64('other') },
      }),
      400,
      'InvalidDigest',
    );
    expectOssError(
      await call({ method: 'PUT', bucket: BUCKET, key: 'digest', body, headers: { 'x-oss-hash-crc64ecma': '1' } }),
      400,
      'InvalidCRC64',
    );
    expectOssError(await call({ method: 'HEAD', bucket: BUCKET, key: 'digest' }), 404, 'NoSuchKey');
  });

  it('x-oss-traffic-limit out of range or not a number is InvalidArgument', async () => {
    for (const value of ['abc', '1', '838860801', '-819200', '1e9']) {
      expectOssError(
        await call({ method: 'PUT', bucket: BUCKET, key: 'tl', body: 'x', headers: { 'x-oss-traffic-limit': value } }),
        400,
        'InvalidArgument',
      );
    }
  });
});

describe('Content-Length and chunked framing', () => {
  const put: WireRequest = { method: 'PUT', bucket: BUCKET, key: 'framing' };

  it.each(['-1', 'abc', '1e3', '0x10', '99999999999999999999999'])(
    'Content-Length %s is a 400 OSS error',
    async (value) => {
      const res = await alongside(rawExchange(mock, rawHead(mock, put, [`content-length: ${value}`]) + 'body'));
      expect(res.status).toBe(400);
      expect(res.code).toBe('InvalidArgument');
      expect(res.closed).toBe(true);
    },
  );

  it('two different Content-Length headers are refused', async () => {
    const res = await alongside(
      rawExchange(mock, rawHead(mock, put, ['content-length: 4', 'content-length: 5']) + 'body'),
    );
    expect([res.status, res.code]).toEqual([400, 'InvalidArgument']);
  });

  it('a Content-Length over 5 GB is InvalidArgument before any byte is read', async () => {
    const res = await alongside(rawExchange(mock, rawHead(mock, put, [`content-length: ${5 * 1024 ** 3 + 1}`])));
    expect([res.status, res.code]).toEqual([400, 'InvalidArgument']);
  });

  it.each([
    ['a bad chunk size', '5\r\nhello\r\nZZ\r\nxx\r\n0\r\n\r\n'],
    ['a chunk longer than declared', '2\r\nhello\r\n0\r\n\r\n'],
    ['a chunk size that overflows', 'ffffffffffffffffffff\r\nhello\r\n'],
  ])('%s is a 400 OSS error and commits nothing', async (_name, body) => {
    const head = rawHead(mock, { ...put, key: 'chunked' }, ['transfer-encoding: chunked']);
    const res = await alongside(rawExchange(mock, head + body));
    expect(res.status).toBe(400);
    expect(res.code).toBe('InvalidRequest');
    expectOssError(await call({ method: 'HEAD', bucket: BUCKET, key: 'chunked' }), 404, 'NoSuchKey');
  });
});

describe('keys', () => {
  const special = [
    '..',
    '../..',
    '../../../etc/passwd',
    'a/../b',
    './.',
    '..\\..\\windows',
    'nul\u0000byte',
    'x'.repeat(1023),
    'x'.repeat(1024),
    'é'.repeat(600),
    '\u202Eevil\u202C.txt',
    '😀/🚀',
    '%2e%2e/',
    '+ +',
    "?#[]@!$&'()*+,;=",
  ];

  it('any key is stored and read back exactly, or refused with InvalidObjectName', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...special), fc.string({ unit: 'binary', minLength: 0, maxLength: 40 })),
        async (key) => {
          const body = `body of ${key.length}`;
          const res = await alongside(call({ method: 'PUT', bucket: BUCKET, key: `k/${key}`, body }));
          if (res.status === 200) {
            const got = await call({ method: 'GET', bucket: BUCKET, key: `k/${key}` });
            expect([got.status, got.body.toString()]).toEqual([200, body]);
          } else {
            expectOssError(res, 400, 'InvalidObjectName');
          }
        },
      ),
      { seed: SEED, numRuns: RUNS * 2, examples: special.map((k) => [k]) },
    );
  });

  it.each(['/leading', '\\leading', 'x'.repeat(1024)])('the key %s is InvalidObjectName', async (key) => {
    expectOssError(await alongside(call({ method: 'PUT', bucket: BUCKET, key, body: 'x' })), 400, 'InvalidObjectName');
  });

  it('invalid percent-encoding in the path is a 400, not a crash', async () => {
    for (const path of ['/hostile/%E0%A4%A', '/hostile/%ZZ', '/hostile/%ED%A0%80', '/hostile/%C0%AF']) {
      const head = `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`;
      const res = await alongside(rawExchange(mock, head));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.code).toBeDefined();
    }
  });
});

describe('part numbers and upload IDs', () => {
  it('UploadPart: a bad part number is InvalidArgument, an unknown upload ID NoSuchUpload', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom('0', '10001', '-1', '1.5', '', ' 1', '99999999999', '1e3', '0x1'),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(fc.constant('real'), fc.string({ maxLength: 40 }), fc.stringMatching(/^[0-9A-F]{32}$/)),
        async (partNumber, id) => {
          const useId = id === 'real' ? uploadId : id;
          const res = await alongside(
            call({
              method: 'PUT',
              bucket: BUCKET,
              key: 'mpu',
              query: [
                ['partNumber', partNumber],
                ['uploadId', useId],
              ],
              body: 'p',
            }),
          );
          const validNumber = /^\d{1,5}$/.test(partNumber) && Number(partNumber) >= 1 && Number(partNumber) <= 10000;
          if (validNumber && useId === uploadId) expect(res.status).toBe(200);
          else if (!validNumber) expectOssError(res, 400, 'InvalidArgument');
          else expect([res.status, res.code]).toEqual([404, 'NoSuchUpload']);
        },
      ),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it('Complete, Abort and ListParts of unknown upload IDs are NoSuchUpload', async () => {
    for (const id of ['', 'x', '0'.repeat(32), '../mpu', uploadId.toLowerCase()]) {
      for (const method of ['POST', 'DELETE', 'GET']) {
        const res = await call({
          method,
          bucket: BUCKET,
          key: 'mpu',
          query: [['uploadId', id]],
          body: method === 'POST' ? '<CompleteMultipartUpload/>' : undefined,
        });
        if (id === '') expect(res.status).toBeGreaterThanOrEqual(400);
        else expectOssError(res, 404, 'NoSuchUpload');
        expect(res.status).toBeLessThan(500);
      }
    }
  });
});

describe('signatures', () => {
  const get: WireRequest = { method: 'GET', bucket: BUCKET, key: 'existing' };

  it('a forged signature (any one character changed) is SignatureDoesNotMatch', async () => {
    const signed = signedHeaders(mock, get);
    const sig = signed.authorization!.split(':')[1]!;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: sig.length - 1 }), fc.constantFrom(...'ABCabc012+/'), async (at, ch) => {
        fc.pre(sig[at] !== ch);
        const forged = `OSS ${mock.accessKeyId}:${sig.slice(0, at)}${ch}${sig.slice(at + 1)}`;
        const res = await alongside(
          call({ ...get, sign: false, headers: { date: signed.date!, authorization: forged } }),
        );
        expectOssError(res, 403, 'SignatureDoesNotMatch');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a replayed signature does not authorise another method, key or date', async () => {
    const signed = signedHeaders(mock, get);
    const replay = (r: WireRequest, date = signed.date!) =>
      call({ ...r, sign: false, headers: { date, authorization: signed.authorization! } });
    expectOssError(await replay({ method: 'DELETE', bucket: BUCKET, key: 'existing' }), 403, 'SignatureDoesNotMatch');
    expectOssError(await replay({ method: 'GET', bucket: BUCKET, key: 'other' }), 403, 'SignatureDoesNotMatch');
    expectOssError(await replay(get, new Date(Date.now() + 1000).toUTCString()), 403, 'SignatureDoesNotMatch');
    // the same request replayed inside the skew window is valid, as on real OSS (V1 has no nonce)
    expect((await replay(get)).status).toBe(200);
    await healthy();
  });

  it('an unknown access key, a malformed header and an unknown scheme are refused', async () => {
    const anon = { ...get, sign: false };
    expectOssError(
      await call({ ...anon, headers: { date: new Date().toUTCString(), authorization: 'OSS nobody:abc=' } }),
      403,
      'InvalidAccessKeyId',
    );
    expectOssError(
      await call({ ...anon, headers: { date: new Date().toUTCString(), authorization: 'OSS nocolon' } }),
      400,
      'InvalidArgument',
    );
    expectOssError(await call({ ...anon, headers: { authorization: 'Bearer abc' } }), 400, 'InvalidArgument');
    expectOssError(await call(anon), 403, 'AccessDenied');
  });

  it('clock skew beyond 15 minutes is RequestTimeTooSkewed with ServerTime; within it, accepted', async () => {
    for (const offset of [-16, 16, -60 * 24 * 365]) {
      const res = await call({ ...get, date: new Date(Date.now() + offset * 60_000) });
      expectOssError(res, 403, 'RequestTimeTooSkewed');
      expect(res.body.toString()).toMatch(/<ServerTime>\d{4}-\d\d-\d\dT/);
    }
    expect((await call({ ...get, date: new Date(Date.now() - 14 * 60_000) })).status).toBe(200);
  });

  it('presigned URLs: expired or far-future ones are AccessDenied, valid ones work', async () => {
    const creds = { accessKeyId: mock.accessKeyId, accessKeySecret: SECRET };
    const signable = { method: 'GET', bucket: BUCKET, key: 'existing', query: [], headers: {} };
    const now = Math.floor(Date.now() / 1000);
    const v1 = (expires: number) => call({ ...get, sign: false, query: presignV1(signable, creds, expires) });
    expect((await v1(now + 60)).status).toBe(200);
    expectOssError(await v1(now - 1), 403, 'AccessDenied');
    const v4 = (date: Date, expiresSeconds: number) =>
      call({ ...get, sign: false, query: presignV4(signable, creds, { region: mock.region, date, expiresSeconds }) });
    expect((await v4(new Date(), 60)).status).toBe(200);
    expectOssError(await v4(new Date(Date.now() - 3_600_000), 60), 403, 'AccessDenied');
    expectOssError(await v4(new Date(Date.now() + 20 * 60_000), 60), 403, 'AccessDenied');
    expectOssError(await v4(new Date(), 604_801), 403, 'AccessDenied');
  });
});

describe('floods and stalls', () => {
  it('a header section over the cap is a 400 OSS error; many small headers under it are served', async () => {
    const flood = Array.from({ length: 2500 }, (_, i) => `x-flood-${i}: ${'v'.repeat(8)}`);
    const res = await alongside(
      rawExchange(mock, rawHead(mock, { method: 'GET', bucket: BUCKET, key: 'existing' }, flood)),
    );
    expect([res.status, res.code, res.closed]).toEqual([400, 'InvalidRequest', true]);
    const many = Array.from({ length: 500 }, (_, i) => `x-many-${i}: v`);
    const ok = await alongside(
      rawExchange(
        mock,
        rawHead(mock, { method: 'GET', bucket: BUCKET, key: 'existing' }, [...many, 'connection: close']),
      ),
    );
    expect(ok.status).toBe(200);
    const giant = await alongside(
      rawExchange(
        mock,
        rawHead(mock, { method: 'GET', bucket: BUCKET, key: 'existing' }, [`x-giant: ${'g'.repeat(20_000)}`]),
      ),
    );
    expect([giant.status, giant.code]).toEqual([400, 'InvalidRequest']);
  });

  it('user metadata over 8 KB is InvalidArgument', async () => {
    const headers = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`x-oss-meta-m${i}`, 'm'.repeat(1000)]));
    expectOssError(
      await alongside(call({ method: 'PUT', bucket: BUCKET, key: 'meta', headers, body: 'x' })),
      400,
      'InvalidArgument',
    );
  });

  it('headers and then nothing: RequestTimeout after the idle time, the connection is freed, nothing is stored', async () => {
    const stalls = [
      rawExchange(
        mock,
        rawHead(mock, { method: 'PUT', bucket: BUCKET, key: 'stalled', headers: { 'content-length': '100' } }),
      ),
      rawExchange(
        mock,
        rawHead(mock, { method: 'PUT', bucket: BUCKET, key: 'stalled', headers: { 'content-length': '100' } }) + 'half',
      ),
      rawExchange(
        mock,
        rawHead(mock, { method: 'PUT', bucket: BUCKET, key: 'stalled', headers: { 'transfer-encoding': 'chunked' } }) +
          '4\r\nhalf\r\n',
      ),
    ];
    // the healthy client is served while the stalled ones wait
    await healthy();
    for (const res of await Promise.all(stalls)) {
      expect([res.status, res.code, res.closed]).toEqual([400, 'RequestTimeout', true]);
    }
    expect(mock.control.inflight()).toEqual([]);
    expectOssError(await call({ method: 'HEAD', bucket: BUCKET, key: 'stalled' }), 404, 'NoSuchKey');
  });

  it('half a header section and then nothing: RequestTimeout too, and the connection is freed', async () => {
    const res = await alongside(rawExchange(mock, `PUT /${BUCKET}/stalled HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-le`));
    expect([res.status, res.code, res.closed]).toEqual([400, 'RequestTimeout', true]);
  });
});

describe('error bodies', () => {
  it('never echo the secret', () => {
    expect(answers.length).toBeGreaterThan(100);
    const leaks = answers.filter((a) => a.includes(SECRET) || a.includes(Buffer.from(SECRET).toString('base64')));
    expect(leaks).toEqual([]);
  });
});
