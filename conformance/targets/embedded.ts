// The default target: the mock started in-process on 127.0.0.1 with a free port, one server per run and a fresh bucket
// per scenario (conformance/README.md).
import { startMockOss } from '../../mock-server/index.js';
import { RawClient } from '../../testkit/raw-client.js';
import { inProcessControl } from './control.js';
import { bucketNameFor, type Space, type Target } from './target.js';

/**
 * Something placed between the clients and the mock (tests put a deliberately broken proxy here). It receives the
 * mock's endpoint and returns the endpoint the scenarios should use.
 */
export type FrontEnd = (mockEndpoint: string) => Promise<{ endpoint: string; close(): Promise<void> }>;

export interface EmbeddedOptions {
  frontEnd?: FrontEnd;
  /** shown in reports instead of 'embedded' */
  name?: string;
}

export async function startEmbeddedTarget(o: EmbeddedOptions = {}): Promise<Target> {
  const mock = await startMockOss({ host: '127.0.0.1', port: 0 });
  let front: { endpoint: string; close(): Promise<void> } | undefined;
  try {
    front = o.frontEnd ? await o.frontEnd(mock.endpoint) : undefined;
  } catch (err) {
    await mock.close();
    throw err;
  }
  const endpoint = front?.endpoint ?? mock.endpoint;
  const raw = new RawClient({
    endpoint,
    region: mock.region,
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
  });
  return {
    name: o.name ?? 'embedded',
    kind: 'embedded',
    endpoint,
    region: mock.region,
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    control: inProcessControl(mock.control),
    raw,
    async allocate(label: string): Promise<Space> {
      const bucket = bucketNameFor(label);
      await raw.putBucket(bucket);
      return { bucket, prefix: '' };
    },
    // OSS allows 100 buckets per account, and so does the mock: a run of every driver under several environments
    // allocates more spaces than that, so each scenario's bucket is emptied and deleted afterwards
    async release(space: Space): Promise<void> {
      for (const u of await raw.listUploads(space.bucket, '')) await raw.abort(space.bucket, u.key, u.uploadId);
      for (const key of await raw.listKeys(space.bucket, '')) await raw.deleteObject(space.bucket, key);
      await raw.deleteBucket(space.bucket);
    },
    async close(): Promise<void> {
      await front?.close();
      await mock.close();
    },
  };
}
