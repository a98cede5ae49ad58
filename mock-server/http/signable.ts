// The request as the signature schemes see it (protocol/signing.ts SignableRequest): method, bucket and key from
// addressing (the bucket is signed even when it travelled in the Host), the raw query in wire order, decoded,
// and the headers with lowercased names.
import type { IncomingMessage } from 'node:http';
import type { Address } from '../../protocol/addressing.js';
import type { SignableRequest } from '../../protocol/signing.js';
import type { QueryPairs } from '../exchange/request-target.js';

export function signableRequest(req: IncomingMessage, address: Address, pairs: QueryPairs): SignableRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const r: SignableRequest = { method: req.method ?? 'GET', query: pairs, headers };
  if (address.bucket !== undefined) r.bucket = address.bucket;
  if (address.key !== undefined) r.key = address.key;
  return r;
}
