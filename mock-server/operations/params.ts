// Query parameters shared by the listing operations (docs/protocol.md#multipart, docs/protocol.md#listing,
// docs/protocol.md#bucket-operations).
import { OssError } from '../../protocol/errors.js';
import { ossUrlEncode } from '../../protocol/addressing.js';
import { queryValue } from '../exchange/request-target.js';

function invalidArgument(name: string, value: string, message?: string): OssError {
  return new OssError('InvalidArgument', {
    ...(message === undefined ? {} : { message }),
    extra: { ArgumentName: name, ArgumentValue: value },
  });
}

/** An integer parameter in [min, max], `fallback` when absent or empty (docs/protocol.md#query-parameters); anything
 * else is InvalidArgument. */
export function intParam(
  query: Record<string, string>,
  name: string,
  o: { min: number; max: number; fallback: number },
): number {
  const raw = queryValue(query, name);
  if (raw === undefined) return o.fallback;
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= o.min && n <= o.max)) {
    throw invalidArgument(name, raw, `Argument ${name} must be an integer between ${o.min} and ${o.max}.`);
  }
  return n;
}

/** prefix / marker / start-after / key-marker are limited to 1023 bytes (docs/protocol.md#limits). */
export function textParam(query: Record<string, string>, name: string): string {
  const value = queryValue(query, name) ?? '';
  if (Buffer.byteLength(value, 'utf8') >= 1024) {
    throw invalidArgument(name, value, `Argument ${name} must be shorter than 1024 bytes.`);
  }
  return value;
}

/** How result keys are written: `encoding-type=url` percent-encodes them (docs/protocol.md#listing); nothing else is
 * valid. */
export interface KeyEncoding {
  /** the value for the `EncodingType` element (undefined: omit it) */
  type: 'url' | undefined;
  encode(s: string): string;
}

export function keyEncoding(query: Record<string, string>): KeyEncoding {
  const raw = queryValue(query, 'encoding-type');
  if (raw === undefined) return { type: undefined, encode: (s) => s };
  if (raw.toLowerCase() !== 'url') throw invalidArgument('encoding-type', raw);
  return { type: 'url', encode: ossUrlEncode };
}

/** Values OSS accepts in any case, answered in their canonical spelling (docs/protocol.md#object-operations,
 * docs/protocol.md#bucket-operations). */
export const STORAGE_CLASSES = ['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'] as const;

/** `value` in its canonical spelling from `allowed` (case-insensitive), or InvalidArgument naming `name`. */
export function oneOf(value: string, allowed: readonly string[], name: string): string {
  const found = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  if (found === undefined) throw invalidArgument(name, value);
  return found;
}
