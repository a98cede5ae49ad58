// An endpoint the suite does not start: real OSS or another emulator, from OSS_ENDPOINT, OSS_ACCESS_KEY_ID,
// OSS_ACCESS_KEY_SECRET, OSS_REGION and OSS_BUCKET (docs/architecture.md#contracts). Scenarios share the bucket, each
// under its own key prefix, and everything they create is removed afterwards. When the endpoint is an oss-mock, its
// control API (`/_mock/`) is used; otherwise scenarios that need it are skipped.
import { randomBytes } from 'node:crypto';
import { RawClient } from '../../testkit/raw-client.js';
import { hasHttpControl, httpControl } from './control.js';
import { bareRegion, bucketNameFor, type Space, type Target } from './target.js';

export interface ExternalOptions {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  region: string;
  /** shared bucket; when absent one bucket is created for the run and deleted at the end */
  bucket?: string;
  /** `--control-token` of an external oss-mock */
  controlToken?: string;
}

export class ExternalTargetConfigError extends Error {
  override readonly name = 'ExternalTargetConfigError';
}

/** Reads the OSS_* variables; `endpoint` (the `--target URL`) overrides OSS_ENDPOINT. */
export function externalOptionsFromEnv(env: NodeJS.ProcessEnv, endpoint?: string): ExternalOptions {
  const url = endpoint ?? env.OSS_ENDPOINT;
  const missing = [
    url ? undefined : 'OSS_ENDPOINT',
    env.OSS_ACCESS_KEY_ID ? undefined : 'OSS_ACCESS_KEY_ID',
    env.OSS_ACCESS_KEY_SECRET ? undefined : 'OSS_ACCESS_KEY_SECRET',
  ].filter((v) => v !== undefined);
  if (missing.length > 0 || !url) {
    throw new ExternalTargetConfigError(`external target needs ${missing.join(', ')}`);
  }
  return {
    endpoint: /^https?:\/\//.test(url) ? url : `https://${url}`,
    accessKeyId: env.OSS_ACCESS_KEY_ID ?? '',
    accessKeySecret: env.OSS_ACCESS_KEY_SECRET ?? '',
    region: bareRegion(env.OSS_REGION ?? 'cn-hangzhou'),
    bucket: env.OSS_BUCKET || undefined,
    controlToken: env.OSS_MOCK_CONTROL_TOKEN || undefined,
  };
}

export async function openExternalTarget(o: ExternalOptions): Promise<Target> {
  const raw = new RawClient(o);
  const control = (await hasHttpControl(o.endpoint, o.controlToken))
    ? httpControl(o.endpoint, o.controlToken)
    : undefined;
  const runId = `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  let bucket = o.bucket;
  const ownBucket = bucket === undefined;
  if (bucket === undefined) {
    bucket = bucketNameFor('oss-conformance');
    await raw.putBucket(bucket);
  }
  const shared = bucket;
  // Best effort, step by step: an endpoint without multipart (501 to ListMultipartUploads) still gets its objects
  // deleted; the first failure is reported once every step was tried.
  const release = async (space: Space): Promise<void> => {
    const failures: unknown[] = [];
    const step = async (fn: () => Promise<void>): Promise<void> => {
      await fn().catch((err: unknown) => failures.push(err));
    };
    await step(async () => {
      for (const u of await raw.listUploads(space.bucket, space.prefix)) {
        await raw.abort(space.bucket, u.key, u.uploadId);
      }
    });
    await step(async () => {
      for (const key of await raw.listKeys(space.bucket, space.prefix)) await raw.deleteObject(space.bucket, key);
    });
    if (failures.length > 0) throw failures[0];
  };
  return {
    name: o.endpoint,
    kind: 'external',
    endpoint: o.endpoint,
    region: o.region,
    accessKeyId: o.accessKeyId,
    accessKeySecret: o.accessKeySecret,
    control,
    raw,
    async allocate(label: string): Promise<Space> {
      const safe = label.replace(/[^A-Za-z0-9._-]+/g, '-');
      return { bucket: shared, prefix: `oss-conformance/${runId}/${safe}/` };
    },
    release,
    async close(): Promise<void> {
      if (!ownBucket) return;
      const failure = await release({ bucket: shared, prefix: '' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      await raw.deleteBucket(shared);
      if (failure !== undefined) throw failure;
    },
  };
}
