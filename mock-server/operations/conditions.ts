// Conditional requests: If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since on GET and HEAD, and the
// x-oss-copy-source-if-* forms on CopyObject and UploadPartCopy (docs/protocol.md#getobject,
// docs/protocol.md#copyobject, docs/protocol.md#multipart). Precedence follows RFC 9110 section 13.2.2: the ETag
// condition wins over its date counterpart.
import { parseHttpDate } from '../../protocol/dates.js';
import { OssError } from '../../protocol/errors.js';
import { normalizeEtag } from '../../protocol/etag.js';
import type { Exchange } from '../exchange/exchange.js';
import { requestHeader } from '../exchange/request-target.js';

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

export type ConditionOutcome = 'proceed' | 'not-modified';

function etagListMatches(list: string, etag: string): boolean {
  const wanted = normalizeEtag(etag);
  return list.split(',').some((e) => e.trim() === '*' || normalizeEtag(e) === wanted);
}

function failed(condition: string): OssError {
  // ali-oss appends <Condition> to its error message (docs/protocol.md#error-envelope)
  return new OssError('PreconditionFailed', { extra: { Condition: condition } });
}

/**
 * Throws 412 PreconditionFailed, or says 'not-modified' (304). Unparseable dates are ignored
 * (docs/protocol.md#getobject). Times compare at whole seconds, the resolution of Last-Modified. `names` are the header
 * names reported in <Condition>.
 */
export function evaluateConditions(
  meta: { etag: string; lastModified: Date },
  c: Conditions,
  names: Record<keyof Conditions, string> = HEADER_NAMES,
): ConditionOutcome {
  const modified = Math.floor(meta.lastModified.getTime() / 1000);
  const seconds = (s: string | undefined): number | undefined => {
    const d = s === undefined ? undefined : parseHttpDate(s);
    return d === undefined ? undefined : Math.floor(d.getTime() / 1000);
  };
  if (c.ifMatch !== undefined) {
    if (!etagListMatches(c.ifMatch, meta.etag)) throw failed(names.ifMatch);
  } else {
    const since = seconds(c.ifUnmodifiedSince);
    if (since !== undefined && modified > since) throw failed(names.ifUnmodifiedSince);
  }
  if (c.ifNoneMatch !== undefined) {
    if (etagListMatches(c.ifNoneMatch, meta.etag)) return 'not-modified';
  } else {
    const since = seconds(c.ifModifiedSince);
    if (since !== undefined && modified <= since) return 'not-modified';
  }
  return 'proceed';
}

const HEADER_NAMES: Record<keyof Conditions, string> = {
  ifMatch: 'If-Match',
  ifNoneMatch: 'If-None-Match',
  ifModifiedSince: 'If-Modified-Since',
  ifUnmodifiedSince: 'If-Unmodified-Since',
};

const COPY_HEADER_NAMES: Record<keyof Conditions, string> = {
  ifMatch: 'x-oss-copy-source-if-match',
  ifNoneMatch: 'x-oss-copy-source-if-none-match',
  ifModifiedSince: 'x-oss-copy-source-if-modified-since',
  ifUnmodifiedSince: 'x-oss-copy-source-if-unmodified-since',
};

function read(ex: Exchange, names: Record<keyof Conditions, string>): Conditions {
  const c: Conditions = {};
  for (const field of Object.keys(names) as Array<keyof Conditions>) {
    const value = requestHeader(ex.req, names[field].toLowerCase());
    if (value !== undefined) c[field] = value;
  }
  return c;
}

export function requestConditions(ex: Exchange): Conditions {
  return read(ex, HEADER_NAMES);
}

export function checkRequestConditions(ex: Exchange, meta: { etag: string; lastModified: Date }): ConditionOutcome {
  return evaluateConditions(meta, requestConditions(ex), HEADER_NAMES);
}

/**
 * The x-oss-copy-source-if-* forms, reported in <Condition> by the plain header names (If-Match, If-Unmodified-Since):
 * OSS names the condition, not the header that carried it (docs/protocol.md#wording).
 */
export function checkCopySourceConditions(ex: Exchange, meta: { etag: string; lastModified: Date }): ConditionOutcome {
  return evaluateConditions(meta, read(ex, COPY_HEADER_NAMES), HEADER_NAMES);
}

/**
 * Conditional headers on a write are refused: OSS answers 400 NotImplemented naming the header
 * (docs/protocol.md#putobject, [DOCS Error responses.md]).
 */
export function rejectWriteConditions(ex: Exchange): void {
  for (const name of Object.values(HEADER_NAMES)) {
    if (requestHeader(ex.req, name.toLowerCase()) !== undefined) {
      throw new OssError('NotImplemented', { extra: { Header: name } });
    }
  }
}
