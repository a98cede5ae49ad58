// Security: with auth on no operation succeeds without a valid signature (the walk covers every row of the dispatch
// table), the file store writes nothing outside its directory whatever the key, the control API refuses tokenless calls
// when a token is set, and no error body echoes the secret.
import fc from 'fast-check';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../mock-server/exchange/exchange.js';
import { ROUTES } from '../mock-server/operations/dispatch.js';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { seedFrom } from './prng.js';
import { send, type Endpoint, type QueryPairs, type WireRequest, type WireResponse } from '../testkit/requests.js';

const SECRET = 'Security-Secret-52d0aa';
const BUCKET = 'secured';

/**
 * The operations whose headers and URL carry no signature to check, and how an unsigned walk request (no form, no
 * Origin) is refused: PostObject is signed in its form (a body that is not one is refused before anything else),
 * a CORS preflight is never signed (it needs an Origin).
 */
const UNSIGNED_REFUSAL: Partial<Record<string, { status: number; code: string }>> = {
  PostObject: { status: 400, code: 'RequestIsNotMultiPartContent' },
  OptionObject: { status: 400, code: 'BadRequest' },
};

/** Query values that make each marker well-formed, so only the signature can be what is refused. */
function markerValue(marker: string, uploadId: string): string | undefined {
  const values: Record<string, string | undefined> = { uploadId, partNumber: '1', 'list-type': '2', position: '0' };
  return values[marker];
}

describe('with auth on, every operation needs a valid signature', () => {
  let mock: MockOssHandle;
  let uploadId: string;
  const bodies: string[] = [];

  beforeAll(async () => {
    mock = await startMockOss({ accessKeySecret: SECRET });
    await send(mock, { method: 'PUT', bucket: BUCKET });
    await send(mock, { method: 'PUT', bucket: BUCKET, key: 'obj', body: 'original' });
    const init = await send(mock, { method: 'POST', bucket: BUCKET, key: 'obj', query: [['uploads', undefined]] });
    uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.body.toString())![1]!;
    await send(mock, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'obj',
      query: [
        ['partNumber', '1'],
        ['uploadId', uploadId],
      ],
      body: 'part',
    });
  });
  afterAll(() => mock.close());

  /** Everything a successful unauthorised call could have changed. */
  async function snapshot(): Promise<string> {
    const reads = await Promise.all([
      send(mock, { method: 'GET' }),
      send(mock, { method: 'GET', bucket: BUCKET }),
      send(mock, { method: 'GET', bucket: BUCKET, key: 'obj' }),
      send(mock, { method: 'GET', bucket: BUCKET, key: 'obj', query: [['uploadId', uploadId]] }),
      send(mock, { method: 'GET', bucket: BUCKET, query: [['uploads', undefined]] }),
    ]);
    return reads
      .map((r) => `${r.status} ${r.body.toString().replace(/<(LastModified|Initiated|CreationDate)>[^<]*</g, '<$1><')}`)
      .join('\n');
  }

  it('walks every route unsigned and with a wrong secret: refused, dispatched as that operation, nothing changed', async () => {
    const before = await snapshot();
    const wrong: Endpoint = { ...mock, accessKeySecret: 'not-the-secret' };
    const seen = new Set<string>();
    for (const route of ROUTES) {
      const query: QueryPairs = [...route.markers, ...(route.optional ?? [])].map((m) => [m, markerValue(m, uploadId)]);
      const headers: Record<string, string> = route.copySource ? { 'x-oss-copy-source': `/${BUCKET}/obj` } : {};
      const base: WireRequest = { method: route.method, query, headers };
      if (route.level !== 'service') base.bucket = BUCKET;
      if (route.level === 'object') base.key = 'obj';
      if (route.method === 'PUT' || route.method === 'POST')
        base.body =
          route.operation === 'DeleteMultipleObjects' ? '<Delete><Object><Key>obj</Key></Object></Delete>' : 'payload';
      for (const [ep, sign, code] of [
        [mock, false, 'AccessDenied'],
        [wrong, true, 'SignatureDoesNotMatch'],
      ] as const) {
        const since = mock.control.health().lastEventSeq;
        const res: WireResponse = await send(ep, { ...base, sign });
        bodies.push(res.body.toString(), JSON.stringify(res.headers));
        expect({ operation: route.operation, status: res.status, code: res.code }).toEqual({
          operation: route.operation,
          ...(UNSIGNED_REFUSAL[route.operation] ?? { status: 403, code }),
        });
        const started = mock.control.events(since).find((e) => e.type === 'request.start');
        expect(started?.operation).toBe(route.operation);
        seen.add(route.operation);
      }
    }
    expect([...seen].sort()).toEqual([...OPERATIONS].sort());
    expect(await snapshot()).toBe(before);
  });

  it('no error body or header echoes the secret', () => {
    expect(bodies.length).toBeGreaterThan(OPERATIONS.length);
    expect(bodies.some((b) => b.includes('SignatureDoesNotMatch') && b.includes('<StringToSign>'))).toBe(true);
    expect(bodies.filter((b) => b.includes(SECRET) || b.includes('not-the-secret'))).toEqual([]);
  });
});

describe('the file store writes only inside its directory', () => {
  let parent: string;
  let mock: MockOssHandle;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'oss-confine-'));
    mock = await startMockOss({ dataDir: path.join(parent, 'data'), auth: false });
    await send(mock, { method: 'PUT', bucket: BUCKET });
  });
  afterAll(async () => {
    await mock.close();
    await rm(parent, { recursive: true, force: true });
  });

  async function walk(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) out.push(p, ...(await walk(p)));
      else out.push(p);
    }
    return out;
  }

  it('whatever the key, every file is the index, the journal, the lock, or a blob or staged body named by a random id', async () => {
    const hostile = [
      '../escape',
      '../../escape',
      '..\\..\\escape',
      'a/../../../../escape',
      'staging/../../escape',
      'blobs/../index.json',
      'index.json',
      'journal.jsonl',
      `..${path.sep}..${path.sep}${path.basename(parent)}${path.sep}escape`,
      `${'../'.repeat(40)}tmp/escape`,
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...hostile), fc.string({ unit: 'binary', minLength: 1, maxLength: 60 })),
        async (key) => {
          const res = await send(mock, { method: 'PUT', bucket: BUCKET, key, body: 'contained', sign: false });
          if (res.status !== 200) return;
          const init = await send(mock, {
            method: 'POST',
            bucket: BUCKET,
            key,
            query: [['uploads', undefined]],
            sign: false,
          });
          const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.body.toString())![1]!;
          await send(mock, {
            method: 'PUT',
            bucket: BUCKET,
            key,
            query: [
              ['partNumber', '1'],
              ['uploadId', uploadId],
            ],
            body: 'p',
            sign: false,
          });
          await send(mock, {
            method: 'POST',
            bucket: BUCKET,
            key: `${key}.append`,
            query: [
              ['append', undefined],
              ['position', '0'],
            ],
            body: 'a',
            sign: false,
          });
        },
      ),
      { seed: seedFrom(process.env, 8301), numRuns: 25, examples: hostile.map((k) => [k]) },
    );
    const data = path.join(parent, 'data');
    const files = await walk(parent);
    const allowed =
      /^(data|data\/(index\.json|journal\.jsonl|oss-mock\.lock\.\d+|staging|blobs)|data\/(staging|blobs)\/[0-9a-f]{32})$/;
    const unexpected = files
      .map((f) => path.relative(parent, f).split(path.sep).join('/'))
      .filter((f) => !allowed.test(f));
    expect(unexpected).toEqual([]);
    expect((await readdir(path.join(data, 'blobs'))).length).toBeGreaterThan(10);
  });
});

describe('control API with a token', () => {
  let mock: MockOssHandle;
  const token = 'control-token-9e';
  beforeAll(async () => {
    mock = await startMockOss({ controlToken: token, auth: false });
    await send(mock, { method: 'PUT', bucket: BUCKET, sign: false });
  });
  afterAll(() => mock.close());

  const call = (method: string, p: string, auth?: string) =>
    fetch(`${mock.endpoint}/_mock${p}`, {
      method,
      headers: auth === undefined ? {} : { authorization: auth },
      body: method === 'POST' ? JSON.stringify({ match: {}, delayMs: 1 }) : undefined,
    });

  it('refuses every endpoint without the token, or with a wrong one, and changes nothing', async () => {
    for (const [method, p] of [
      ['GET', '/health'],
      ['POST', '/reset'],
      ['GET', '/rules'],
      ['POST', '/rules'],
      ['DELETE', '/rules'],
      ['GET', '/inflight'],
      ['GET', '/events'],
      ['POST', '/wait'],
    ] as const) {
      for (const auth of [undefined, 'Bearer wrong', `Basic ${token}`, token, `Bearer ${token}x`]) {
        const res = await call(method, p, auth);
        expect({ p, method, auth, status: res.status }).toEqual({ p, method, auth, status: 401 });
      }
    }
    expect(mock.control.listRules()).toEqual([]);
    expect((await send(mock, { method: 'GET', bucket: BUCKET, sign: false })).status).toBe(200);
    expect((await call('GET', '/health', `Bearer ${token}`)).status).toBe(200);
  });
});
