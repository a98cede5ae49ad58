// A PostObject's body goes through the one body reader like a PUT's: a throttle rule paces it, /_mock/inflight
// counts its bytes (and names its key once the form reached the file), a fault rule fires at its byte offset, and a
// client that leaves mid-file is logged as body.aborted with nothing committed. Real listening mock, Node's fetch.
import OSS from 'ali-oss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from './index.js';

const KiB = 1024;

let oss: MockOssHandle;
const bucket = 'post-ingest';
const url = () => `${oss.endpoint}/${bucket}/`;

beforeAll(async () => {
  oss = await startMockOss({});
  // the forms need no signature: the bucket is public-read-write
  const client = new OSS({
    endpoint: oss.endpoint,
    region: 'oss-cn-hangzhou',
    accessKeyId: oss.accessKeyId,
    accessKeySecret: oss.accessKeySecret,
  } as OSS.Options);
  await client.putBucket(bucket, { acl: 'public-read-write' } as OSS.PutBucketOptions);
});
afterAll(async () => {
  await oss.close();
});

function form(key: string, size: number): FormData {
  const f = new FormData();
  f.append('key', key);
  f.append('file', new Blob([Buffer.alloc(size, 1)]), 'f.bin');
  return f;
}

function committed(since: number): string[] {
  return oss.control
    .events(since)
    .filter((e) => e.type === 'object.committed' && e.bucket === bucket)
    .map((e) => e.key ?? '');
}

describe('PostObject through the body reader', () => {
  it('a throttle paces the form, the in-flight registry names its key, and an abort commits nothing', async () => {
    // small enough for the kernel buffers to hold all of it: the client's FIN reaches the server at once, and the
    // throttled reader notices it while it waits (a FIN behind unsent data would come only once that was read)
    oss.control.addRule({ id: 'slow-form', match: { operation: 'PostObject' }, ingestRate: 16 * KiB });
    const since = oss.control.health().lastEventSeq;
    const abort = new AbortController();
    const upload = fetch(url(), { method: 'POST', body: form('slow/big.bin', 128 * KiB), signal: abort.signal });
    upload.catch(() => undefined);
    const [entry] = await oss.control.wait({
      match: { operation: 'PostObject', keyPrefix: 'slow/' },
      minBytes: 8 * KiB,
      timeoutMs: 10_000,
    });
    expect(entry).toMatchObject({ operation: 'PostObject', bucket, key: 'slow/big.bin' });
    // the throttle holds it: far from done after the first bytes
    expect(entry!.bytesReceived).toBeLessThan(entry!.contentLength!);
    abort.abort();
    await expect(upload).rejects.toThrow();
    const [gone] = await oss.control.wait({
      match: { operation: 'PostObject', keyPrefix: 'slow/' },
      until: 'aborted',
      timeoutMs: 10_000,
    });
    expect(gone!.bytesReceived).toBeLessThan(128 * KiB);
    oss.control.deleteRule('slow-form');
    const events = oss.control.events(since);
    expect(events.some((e) => e.type === 'body.aborted' && e.key === 'slow/big.bin')).toBe(true);
    expect(committed(since)).toEqual([]);
    const head = await fetch(`${oss.endpoint}/${bucket}/slow/big.bin`, { method: 'HEAD' });
    expect(head.status).toBe(404);
  });

  it('a reset fault after N bytes of the form cuts it there, and nothing is committed', async () => {
    oss.control.addRule({
      id: 'cut-form',
      match: { operation: 'PostObject' },
      fault: { type: 'reset', afterBytes: 40 * KiB },
      times: 1,
    });
    const since = oss.control.health().lastEventSeq;
    await expect(fetch(url(), { method: 'POST', body: form('cut.bin', 256 * KiB) })).rejects.toThrow();
    const fired = oss.control.events(since).find((e) => e.type === 'fault.fired');
    expect(fired).toMatchObject({ ruleId: 'cut-form', atBytes: 40 * KiB });
    expect(committed(since)).toEqual([]);
    // the next form goes through: the rule was used up
    const ok = await fetch(url(), { method: 'POST', body: form('cut.bin', 256 * KiB) });
    expect(ok.status).toBe(204);
    expect(committed(since)).toEqual(['cut.bin']);
  });

  it("an error fault mid-form answers the fault's status and OSS code", async () => {
    oss.control.addRule({
      match: { operation: 'PostObject' },
      fault: { type: 'error', afterBytes: 10 * KiB, status: 503, code: 'ServiceUnavailable' },
      times: 1,
    });
    const res = await fetch(url(), { method: 'POST', body: form('err.bin', 64 * KiB) });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('<Code>ServiceUnavailable</Code>');
    expect((await fetch(`${oss.endpoint}/${bucket}/err.bin`, { method: 'HEAD' })).status).toBe(404);
  });
});
