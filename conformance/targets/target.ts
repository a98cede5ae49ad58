// Where the scenarios run: the endpoint, its credentials, its control API when it has one, and an isolated space
// (bucket + key prefix) per scenario run.
import { randomBytes } from 'node:crypto';
import type { RawClient } from '../../testkit/raw-client.js';
import type { ControlApi } from './control.js';

/** The part of the target a scenario owns: every key it creates starts with `prefix`. */
export interface Space {
  bucket: string;
  prefix: string;
}

export interface Target {
  /** 'embedded' or the endpoint URL (reports) */
  readonly name: string;
  readonly kind: 'embedded' | 'external';
  readonly endpoint: string;
  /** without `oss-` prefix */
  readonly region: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** the mock's control API; undefined on real OSS and other emulators */
  readonly control?: ControlApi;
  /** requests the suite makes itself, independent of the driver under test */
  readonly raw: RawClient;
  /** a fresh space for one scenario run */
  allocate(label: string): Promise<Space>;
  /** removes what a scenario left in its space (external targets; the embedded mock is simply discarded) */
  release(space: Space): Promise<void>;
  close(): Promise<void>;
}

/** A valid bucket name (3-63 of a-z 0-9 -, alphanumeric ends, docs/protocol.md#limits) made from a label plus
 * randomness. */
export function bucketNameFor(label: string): string {
  const base = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return `${base || 'conformance'}-${randomBytes(4).toString('hex')}`;
}

/** `oss-` is how ali-oss and the docs spell regions; signatures use the bare form (docs/protocol.md#v4-signature). */
export function bareRegion(region: string): string {
  return region.replace(/^oss-/, '');
}
