// x-oss-traffic-limit: a per-request speed limit in bit/s, from 819200 (100 KB/s) to 838860800 (100 MB/s), given as a
// header or, on presigned URLs, as a query parameter. Out of range is 400 InvalidArgument; the parameter is a V1
// sub-resource (docs/protocol.md#traffic-limit).

import { OssError } from './errors.js';

export const TRAFFIC_LIMIT_MIN_BITS = 819_200;
export const TRAFFIC_LIMIT_MAX_BITS = 838_860_800;

/** The limit in bytes/s; throws OssError('InvalidArgument') naming x-oss-traffic-limit. */
export function parseTrafficLimit(value: string): number {
  const bits = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(bits >= TRAFFIC_LIMIT_MIN_BITS && bits <= TRAFFIC_LIMIT_MAX_BITS)) {
    throw new OssError('InvalidArgument', {
      extra: { ArgumentName: 'x-oss-traffic-limit', ArgumentValue: value },
    });
  }
  return bits / 8;
}
