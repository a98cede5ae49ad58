// DisableRequest against the listening mock, throttled so uploads stay in flight, and the transport error codes
// provoked by the mock's fault rules (docs/protocol.md#cpp-sdk; docs/architecture.md#guarantees).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import type { MockEvent } from '../mock-server/index.js';
import { OssClient } from './client.js';
import { rejectionOf, until } from './test-support/raw-server.js';

const KiB = 1024;
const MiB = 1024 * KiB;

let oss: MockOssHandle;
const clients: OssClient[] = [];
beforeAll(async () => {
  oss = await startMockOss();
});
afterEach(() => {
  oss.control.clearRules();
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await oss.close();
});

function clientFor(o: Partial<ConstructorParameters<typeof OssClient>[0]> = {}): OssClient {
  const c = new OssClient({
    endpoint: oss.endpoint,
    accessKeyId: oss.accessKeyId,
    accessKeySecret: oss.accessKeySecret,
    retry: { maxRetries: 0 },
    ...o,
  });
  clients.push(c);
  return c;
}

async function bucketFor(name: string): Promise<string> {
  await clientFor().putBucket({ bucket: name });
  return name;
}

function eventsOf(since: number, bucket: string, type: MockEvent['type']): MockEvent[] {
  return oss.control.events(since).filter((e) => e.bucket === bucket && e.type === type);
}

function lastSeq(): number {
  return oss.control.health().lastEventSeq;
}

describe('the seed: 4 concurrent uploads, disable, nothing committed', () => {
  it('aborts all 4 mid-body, refuses the next call without a request, and works after enable', async () => {
    const bucket = await bucketFor('seed');
    const c = clientFor();
    oss.control.addRule({ match: { bucket }, ingestRate: 256 * KiB });
    const since = lastSeq();
    const keys = ['k0', 'k1', 'k2', 'k3'];
    const uploads = keys.map((key) => c.putObject({ bucket, key, body: Buffer.alloc(4 * MiB, key) }));
    await oss.control.wait({
      match: { bucket, operation: 'PutObject' },
      minBytes: 64 * KiB,
      count: 4,
      timeoutMs: 10_000,
    });

    c.disableRequests();
    const outcomes = await Promise.allSettled(uploads);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const code = (outcome as PromiseRejectedResult).reason.code;
      expect(['ClientError:200042', 'ClientError:100002']).toContain(code);
    }

    // The server saw each body stop part-way, and committed nothing.
    await until(() => eventsOf(since, bucket, 'body.aborted').length === 4);
    expect(eventsOf(since, bucket, 'object.committed')).toEqual([]);

    // A call while disabled reaches no server.
    const beforeDisabledCall = lastSeq();
    const refused = await rejectionOf(c.putObject({ bucket, key: 'k4', body: 'x' }));
    expect(refused.code).toBe('ClientError:100002');
    expect(oss.control.events(beforeDisabledCall).filter((e) => e.type === 'request.start')).toEqual([]);

    c.enableRequests();
    oss.control.clearRules();
    for (const key of keys) {
      expect((await rejectionOf(c.headObject({ bucket, key }))).code).toBe('NoSuchKey');
    }
    await c.putObject({ bucket, key: 'after', body: 'works' });
    expect((await c.getObject({ bucket, key: 'after' })).content.toString()).toBe('works');
  });

  it('leaves another client uploading when one is disabled', async () => {
    const bucket = await bucketFor('two-clients');
    const a = clientFor();
    const b = clientFor();
    const rule = oss.control.addRule({ match: { bucket }, ingestRate: 256 * KiB });
    const fromA = a.putObject({ bucket, key: 'a', body: Buffer.alloc(1 * MiB) });
    const fromB = b.putObject({ bucket, key: 'b', body: Buffer.alloc(1 * MiB) });
    await oss.control.wait({
      match: { bucket, operation: 'PutObject' },
      minBytes: 32 * KiB,
      count: 2,
      timeoutMs: 10_000,
    });

    a.disableRequests();
    expect((await rejectionOf(fromA)).code).toBe('ClientError:200042');
    const inflightKeys = (): Array<string | undefined> =>
      oss.control
        .inflight()
        .filter((e) => e.bucket === bucket)
        .map((e) => e.key);
    await until(() => !inflightKeys().includes('a'));
    expect(inflightKeys()).toEqual(['b']);
    oss.control.deleteRule(rule.id);
    expect((await fromB).status).toBe(200);
    expect((await b.headObject({ bucket, key: 'b' })).contentLength).toBe(1 * MiB);
  });

  it('aborts a throttled streamed download', async () => {
    const bucket = await bucketFor('download');
    const c = clientFor();
    await c.putObject({ bucket, key: 'big', body: Buffer.alloc(2 * MiB) });
    oss.control.addRule({ match: { bucket }, egressRate: 256 * KiB });
    const { stream } = await c.getObjectStream({ bucket, key: 'big' });
    const consumed = stream.toArray();
    c.disableRequests();
    expect((await rejectionOf(consumed)).code).toBe('ClientError:200042');
  });
});

describe('error codes provoked by fault rules', () => {
  it('a reset mid-body is 200055 or 200056, and nothing is committed', async () => {
    const bucket = await bucketFor('fault-reset');
    oss.control.addRule({ match: { bucket, operation: 'PutObject' }, fault: { type: 'reset', afterBytes: 64 * KiB } });
    const err = await rejectionOf(clientFor().putObject({ bucket, key: 'k', body: Buffer.alloc(1 * MiB) }));
    expect(['ClientError:200055', 'ClientError:200056']).toContain(err.code);
    oss.control.clearRules();
    expect((await rejectionOf(clientFor().headObject({ bucket, key: 'k' }))).code).toBe('NoSuchKey');
  });

  it('a close before any reply is 200052', async () => {
    const bucket = await bucketFor('fault-close');
    oss.control.addRule({ match: { bucket, operation: 'GetObject' }, fault: { type: 'close' } });
    expect((await rejectionOf(clientFor().getObject({ bucket, key: 'k' }))).code).toBe('ClientError:200052');
  });

  it('an error fault gives its code and status', async () => {
    const bucket = await bucketFor('fault-error');
    oss.control.addRule({
      match: { bucket, operation: 'PutObject' },
      fault: { type: 'error', status: 400, code: 'InvalidArgument' },
    });
    const err = await rejectionOf(clientFor().putObject({ bucket, key: 'k', body: 'x' }));
    expect(err).toMatchObject({ code: 'InvalidArgument', status: 400 });
    expect(err.requestId).toMatch(/^[0-9A-F]{24}$/);
  });

  it('a 5xx fault hitting twice succeeds on the third attempt', async () => {
    const bucket = await bucketFor('fault-retry');
    oss.control.addRule({ match: { bucket, operation: 'PutObject' }, fault: { type: 'error', status: 503 }, times: 2 });
    const since = lastSeq();
    const c = clientFor({ retry: { maxRetries: 3, baseDelayMs: 5 } });
    await c.putObject({ bucket, key: 'k', body: 'retried' });
    const ends = eventsOf(since, bucket, 'request.end');
    expect(ends.map((e) => (e.type === 'request.end' ? e.status : 0))).toEqual([503, 503, 200]);
    expect((await c.getObject({ bucket, key: 'k' })).content.toString()).toBe('retried');
  });
});
