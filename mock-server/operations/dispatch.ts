// Which OSS operation a request is: one table of (method, target level, sub-resource markers, copy-source header)
// -> operation name; the README's table of supported operations is checked against it (readme-operations.test.ts).
// A request matches a row when it carries exactly the row's markers (plus optional ones), so `PUT ?uploadId` without
// partNumber can never fall through to PutObject.
import { OssError } from '../../protocol/errors.js';
import { isV1SubResource } from '../../protocol/signing.js';
import type { OperationName } from '../exchange/exchange.js';
import { OPERATION_TABLE, type OperationEntry, type Route, type TargetLevel } from './table.js';

export type { TargetLevel } from './table.js';

/** Every route with its operation, in match order; a route of several levels is one route per level. */
export const ROUTES: ReadonlyArray<Route & { level: TargetLevel; operation: OperationName }> = (
  Object.entries(OPERATION_TABLE) as Array<[OperationName, OperationEntry]>
).flatMap(([operation, entry]) =>
  (typeof entry.route.level === 'string' ? [entry.route.level] : entry.route.level).map((level) => ({
    ...entry.route,
    level,
    operation,
  })),
);

/** Query names that select an operation; any other query name is a parameter, not a marker. */
const MARKERS: ReadonlySet<string> = new Set(ROUTES.flatMap((r) => [...r.markers, ...(r.optional ?? [])]));

/**
 * Sub-resources that modify a request without selecting another operation, so they may accompany any route: response
 * header overrides (docs/protocol.md#getobject), STS token, traffic limit (docs/protocol.md#traffic-limit), V2 listing
 * cursor, and versionId (every bucket of the mock is unversioned, where OSS accepts versionId=null).
 */
const MODIFIERS: ReadonlySet<string> = new Set([
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'security-token',
  'x-oss-traffic-limit',
  'continuation-token',
  'versionId',
]);

const RESOURCE_TYPE: Record<TargetLevel, string> = { service: 'Service', bucket: 'Bucket', object: 'Object' };

export interface DispatchInput {
  method: string;
  level: TargetLevel;
  query: Record<string, string>;
  hasCopySource: boolean;
}

/**
 * Data processing (image, video and document processing, `?x-oss-process=` on GET and POST, the async form) is not
 * part of the mock: one answer for every method and target, whatever else the request carries.
 */
export const PROCESSING_PARAMETERS: readonly string[] = ['x-oss-process', 'x-oss-async-process'];

function processingNotImplemented(name: string): OssError {
  return new OssError('NotImplemented', {
    message: `oss-mock does not implement data processing (${name}): image, video and document processing are not part of the mock.`,
    extra: { SubResource: name },
  });
}

/**
 * The operation of a request, or an OSS error that says why there is none: an OSS sub-resource the mock does not
 * implement (`?cors`, `?lifecycle`...) is 400 NotImplemented, as is `x-oss-process` everywhere; a method the target
 * does not support is 405 MethodNotAllowed; an incomplete marker combination is 400 InvalidRequest.
 */
export function dispatch(input: DispatchInput): OperationName {
  const names = Object.keys(input.query);
  const processing = names.find((n) => PROCESSING_PARAMETERS.includes(n));
  if (processing !== undefined) throw processingNotImplemented(processing);
  const unsupported = names.find((n) => !MARKERS.has(n) && !MODIFIERS.has(n) && isV1SubResource(n));
  if (unsupported !== undefined) {
    throw new OssError('NotImplemented', {
      message: `oss-mock does not implement the sub-resource "${unsupported}".`,
      extra: { SubResource: unsupported },
    });
  }
  const present = names.filter((n) => MARKERS.has(n));
  const candidates = ROUTES.filter((r) => r.method === input.method && r.level === input.level);
  const route = candidates.find(
    (r) =>
      r.markers.every((m) => present.includes(m)) &&
      present.every((m) => r.markers.includes(m) || (r.optional ?? []).includes(m)) &&
      (r.copySource === undefined || r.copySource === input.hasCopySource),
  );
  if (route !== undefined) return route.operation;
  if (candidates.length === 0) {
    throw new OssError('MethodNotAllowed', {
      extra: { Method: input.method, ResourceType: RESOURCE_TYPE[input.level] },
      headers: { Allow: [...new Set(ROUTES.filter((r) => r.level === input.level).map((r) => r.method))].join(', ') },
    });
  }
  // A marker this method never uses at this level is an OSS operation the mock lacks (PUT ?acl, GET <object>?acl);
  // one it does use is missing its companion (PUT ?uploadId without partNumber).
  const known = new Set(candidates.flatMap((r) => [...r.markers, ...(r.optional ?? [])]));
  const foreign = present.find((m) => !known.has(m));
  if (foreign !== undefined) {
    throw new OssError('NotImplemented', {
      message: `oss-mock does not implement ${input.method} with the sub-resource "${foreign}" on a ${input.level}.`,
      extra: { SubResource: foreign },
    });
  }
  throw new OssError('InvalidRequest', {
    message: `No ${RESOURCE_TYPE[input.level].toLowerCase()} operation takes ${input.method} with ${
      present.length === 0 ? 'no sub-resource' : `the sub-resources ${present.join(', ')}`
    }.`,
  });
}
