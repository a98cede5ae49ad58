// The request target as OSS sees it: the raw path (addressing decodes it, keeping `+`) and the query in wire order,
// decoded, with bare names kept distinct from `name=` because signing tells them apart
// (docs/protocol.md#query-parameters, docs/protocol.md#v1-signature).
import type { IncomingMessage } from 'node:http';
import { OssError } from '../../protocol/errors.js';

export type QueryPairs = Array<[string, string | undefined]>;

export interface RequestTarget {
  /** raw path without the query, e.g. `//` or `/bucket/a%2Fb` */
  path: string;
  /** decoded, wire order; undefined value = bare name (`?uploads`), '' = `?uploads=` */
  pairs: QueryPairs;
  /** first occurrence wins (docs/protocol.md#v1-presign); bare names map to '' (an empty value means "not set",
   * docs/protocol.md#query-parameters) */
  query: Record<string, string>;
}

/** Query components are form-encoded: Go's url.QueryEscape sends a space as `+` (docs/protocol.md#addressing), so `+`
 * decodes to space. */
function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new OssError('InvalidArgument', { message: 'The query string is not valid percent-encoding.' });
  }
}

export function parseTarget(url: string): RequestTarget {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const pairs: QueryPairs = [];
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  if (q >= 0) {
    for (const part of url.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
      const value = eq < 0 ? undefined : decodeComponent(part.slice(eq + 1));
      pairs.push([name, value]);
      if (!(name in query)) query[name] = value ?? '';
    }
  }
  return { path, pairs, query };
}

/** A query parameter counts as set only when non-empty (oss2 sends `prefix=&marker=`,
 * docs/protocol.md#query-parameters). */
export function queryValue(query: Record<string, string>, name: string): string | undefined {
  const v = query[name];
  return v === undefined || v === '' ? undefined : v;
}

/** A request header as one string (Node joins most repeats with ', ' already; the rest are joined the same way). */
export function requestHeader(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
