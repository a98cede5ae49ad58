// One page of a listing, as a pure function over a sorted list (ListObjects v1/v2, ListMultipartUploads,
// docs/protocol.md#listing, docs/protocol.md#listing, docs/protocol.md#multipart). Keys under a delimiter roll up into
// CommonPrefixes, which count toward the page size like keys.
import { compareKeys } from '../storage/key-order.js';

export type ListEntry<T> = { kind: 'item'; key: string; item: T } | { kind: 'prefix'; prefix: string };

export interface PageRequest<T> {
  /** sorted by key in UTF-8 byte order; only those sorting after `marker` (the caller's store query) */
  items: readonly T[];
  keyOf: (item: T) => string;
  prefix: string;
  /** '' = no roll-up */
  delimiter: string;
  max: number;
  /** the exclusive start; a common prefix at or before it was already listed */
  marker: string;
}

export interface Page<T> {
  entries: ListEntry<T>[];
  truncated: boolean;
  /** the key or prefix of the last entry: the next page's marker */
  last: string | undefined;
}

/** The common prefix `key` rolls up into, or undefined. */
function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  if (delimiter === '') return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

export function listPage<T>(r: PageRequest<T>): Page<T> {
  const entries: ListEntry<T>[] = [];
  let lastPrefix: string | undefined;
  let truncated = false;
  for (const item of r.items) {
    const key = r.keyOf(item);
    if (!key.startsWith(r.prefix)) continue;
    const cp = commonPrefixOf(key, r.prefix, r.delimiter);
    // Skip a prefix already listed on this page, or on an earlier one (NextMarker may be a common prefix).
    if (cp !== undefined && (cp === lastPrefix || compareKeys(cp, r.marker) <= 0)) continue;
    if (entries.length === r.max) {
      truncated = true;
      break;
    }
    if (cp === undefined) {
      entries.push({ kind: 'item', key, item });
    } else {
      entries.push({ kind: 'prefix', prefix: cp });
      lastPrefix = cp;
    }
  }
  const lastEntry = entries.at(-1);
  const last = lastEntry === undefined ? undefined : lastEntry.kind === 'item' ? lastEntry.key : lastEntry.prefix;
  return { entries, truncated, last };
}
