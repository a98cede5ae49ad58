// The Range header of GetObject (docs/protocol.md#getobject, docs/protocol.md#getobject, docs/protocol.md#getobject).
import { OssError } from '../../protocol/errors.js';
import type { ByteRange } from '../storage/store.js';

const SINGLE = /^\s*(\d*)\s*-\s*(\d*)\s*$/;

/**
 * The bytes to send, or undefined for the whole object (200).
 * - Default behaviour: only `a-b`, `a-` and `-n` are served; anything invalid or unsatisfiable (end or start past
 *   the end, `-n` longer than the object, another unit) is ignored and the whole object is sent.
 * - `x-oss-range-behavior: standard`: an end past the object is clamped and a suffix longer than the object is the
 *   whole object (206 either way); a start at or past the end is 416 InvalidRange.
 * A multi-range header serves its first range, the safer of the two documented readings.
 */
export function resolveRange(header: string | undefined, size: number, standard: boolean): ByteRange | undefined {
  if (header === undefined) return undefined;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return undefined;
  const m = SINGLE.exec(header.slice(eq + 1).split(',')[0]!);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = (): undefined => {
    if (!standard) return undefined;
    throw new OssError('InvalidRange', { headers: { 'Content-Range': `bytes */${size}` } });
  };
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return unsatisfiable();
    if (n > size) return standard ? { start: 0, end: size - 1 } : undefined;
    return { start: size - n, end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return unsatisfiable();
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  if (end >= size) return standard ? { start, end: size - 1 } : undefined;
  return { start, end };
}
