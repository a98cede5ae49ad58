// Races: concurrent writers of one key, one part number, Complete vs Abort, Complete twice, DeleteBucket vs PutObject.
// The store serialises commits (storage/indexed-store.ts); these check the outcome on the wire, on both stores. Rounds
// are bounded; each asserts the one consistent outcome, whichever request won.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml, xmlArray } from '../protocol/xml.js';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { Prng } from './prng.js';
import { md5Hex, send, type WireResponse } from '../testkit/requests.js';

const ROUNDS = 6;
const WRITERS = 6;

function uploadIdOf(res: WireResponse): string {
  return String((parseXml(res.body.toString()).InitiateMultipartUploadResult as Record<string, unknown>).UploadId);
}

function completeXml(parts: Array<[number, Buffer]>): string {
  const xml = parts.map(([n, b]) => `<Part><PartNumber>${n}</PartNumber><ETag>"${md5Hex(b)}"</ETag></Part>`);
  return `<CompleteMultipartUpload>${xml.join('')}</CompleteMultipartUpload>`;
}

describe.each(['memory', 'file'] as const)('races on the %s store', (kind) => {
  let mock: MockOssHandle;
  let dir: string | undefined;
  const rng = new Prng(kind === 'memory' ? 8101 : 8102);
  const bucket = 'race-bucket';

  beforeAll(async () => {
    if (kind === 'file') dir = await mkdtemp(path.join(tmpdir(), 'oss-races-'));
    mock = await startMockOss(dir === undefined ? {} : { dataDir: dir });
    expect((await send(mock, { method: 'PUT', bucket })).status).toBe(200);
  });
  afterAll(async () => {
    await mock.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function initiate(key: string): Promise<string> {
    return uploadIdOf(await send(mock, { method: 'POST', bucket, key, query: [['uploads', undefined]] }));
  }

  it('concurrent PUTs of one key leave exactly one of the bodies, with its ETag', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `put-race-${round}`;
      const bodies = Array.from({ length: WRITERS }, () => rng.bytes(rng.int(1, 256 * 1024)));
      const answers = await Promise.all(
        bodies.map((body) => send(mock, { method: 'PUT', bucket, key, body, agent: false })),
      );
      expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
      const got = await send(mock, { method: 'GET', bucket, key });
      const winner = bodies.findIndex((b) => b.equals(got.body));
      expect(winner).toBeGreaterThanOrEqual(0);
      expect(got.headers.etag).toBe(`"${md5Hex(bodies[winner]!)}"`);
      // each answer's ETag names its own body: no writer was told it stored someone else's bytes
      expect(answers.map((a) => a.headers.etag)).toEqual(bodies.map((b) => `"${md5Hex(b)}"`));
    }
  });

  it('concurrent UploadPart on one part number keeps exactly one body, and it completes', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `part-race-${round}`;
      const uploadId = await initiate(key);
      const query: Array<[string, string]> = [
        ['partNumber', '1'],
        ['uploadId', uploadId],
      ];
      const bodies = Array.from({ length: WRITERS }, () => rng.bytes(rng.int(1, 128 * 1024)));
      const answers = await Promise.all(
        bodies.map((body) => send(mock, { method: 'PUT', bucket, key, query, body, agent: false })),
      );
      expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
      const list = parseXml(
        (await send(mock, { method: 'GET', bucket, key, query: [['uploadId', uploadId]] })).body.toString(),
      );
      const parts = xmlArray((list.ListPartsResult as Record<string, unknown>).Part as Record<string, string>[]);
      expect(parts).toHaveLength(1);
      const winner = bodies.find((b) => `"${md5Hex(b)}"` === parts[0]!.ETag)!;
      expect(winner).toBeDefined();
      expect(Number(parts[0]!.Size)).toBe(winner.length);
      const done = await send(mock, {
        method: 'POST',
        bucket,
        key,
        query: [['uploadId', uploadId]],
        body: completeXml([[1, winner]]),
      });
      expect(done.status).toBe(200);
      expect((await send(mock, { method: 'GET', bucket, key })).body.equals(winner)).toBe(true);
    }
  });

  it('Complete vs Abort: exactly one wins and the state agrees with it', async () => {
    for (let round = 0; round < ROUNDS * 2; round++) {
      const key = `complete-abort-${round}`;
      const uploadId = await initiate(key);
      const body = rng.bytes(1000);
      const q: Array<[string, string]> = [['uploadId', uploadId]];
      await send(mock, { method: 'PUT', bucket, key, query: [['partNumber', '1'], ...q], body });
      const [complete, abort] = await Promise.all([
        send(mock, { method: 'POST', bucket, key, query: q, body: completeXml([[1, body]]), agent: false }),
        send(mock, { method: 'DELETE', bucket, key, query: q, agent: false }),
      ]);
      const outcome = `${complete.status}/${abort.status}`;
      expect(['200/404', '404/204']).toContain(outcome);
      const head = await send(mock, { method: 'HEAD', bucket, key });
      expect(head.status).toBe(complete.status === 200 ? 200 : 404);
      if (complete.status !== 200) expect(complete.code).toBe('NoSuchUpload');
      else expect(abort.code).toBe('NoSuchUpload');
      // whichever won, the upload ID is finished for good
      const parts = await send(mock, { method: 'GET', bucket, key, query: q });
      expect([parts.status, parts.code]).toEqual([404, 'NoSuchUpload']);
    }
  });

  it('Complete twice: one 200, the other NoSuchUpload, the object is the upload', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `complete-twice-${round}`;
      const uploadId = await initiate(key);
      const body = rng.bytes(2000);
      const q: Array<[string, string]> = [['uploadId', uploadId]];
      await send(mock, { method: 'PUT', bucket, key, query: [['partNumber', '1'], ...q], body });
      const xml = completeXml([[1, body]]);
      const answers = await Promise.all(
        [0, 1].map(() => send(mock, { method: 'POST', bucket, key, query: q, body: xml, agent: false })),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 404]);
      expect(answers.find((a) => a.status === 404)!.code).toBe('NoSuchUpload');
      expect((await send(mock, { method: 'GET', bucket, key })).body.equals(body)).toBe(true);
    }
  });

  it('DeleteBucket vs PutObject: never both succeed, never an object in a deleted bucket', async () => {
    for (let round = 0; round < ROUNDS * 2; round++) {
      const target = `race-delete-${kind}-${round}`;
      expect((await send(mock, { method: 'PUT', bucket: target })).status).toBe(200);
      const body = rng.bytes(rng.int(0, 64 * 1024));
      const [put, del] = await Promise.all([
        send(mock, { method: 'PUT', bucket: target, key: 'k', body, agent: false }),
        send(mock, { method: 'DELETE', bucket: target, agent: false }),
      ]);
      const outcome = `${put.status}:${put.code ?? ''}/${del.status}:${del.code ?? ''}`;
      expect(['200:/409:BucketNotEmpty', '404:NoSuchBucket/204:']).toContain(outcome);
      const get = await send(mock, { method: 'GET', bucket: target, key: 'k' });
      if (put.status === 200) expect(get.body.equals(body)).toBe(true);
      else expect([get.status, get.code]).toEqual([404, 'NoSuchBucket']);
    }
  });
});
