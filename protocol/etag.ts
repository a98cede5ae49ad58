// ETag rules (docs/protocol.md#etags). OSS ETags are uppercase hex and sent quoted; clients echo them with or without
// quotes (Go's encoding/xml even turns them into &#34;), so comparisons always go through normalizeEtag.
import { createHash } from 'node:crypto';

/** The ETag text (unquoted) of a body whose binary MD5 is `md5`: 32 uppercase hex characters. */
export function md5Hex(md5: Uint8Array): string {
  return Buffer.from(md5.buffer, md5.byteOffset, md5.byteLength).toString('hex').toUpperCase();
}

/**
 * The multipart ETag (unquoted) from the part ETags in completion order: UPPER(hex(MD5 of the concatenated 32-char
 * uppercase hex part ETags)) + '-' + N. Unlike S3 the MD5 is over the hex text, not the binary digests; this is fixed
 * by two real-OSS captures (docs/protocol.md#etags vectors A and B).
 */
export function multipartEtag(partEtags: string[]): string {
  const md5 = createHash('md5');
  for (const etag of partEtags) md5.update(normalizeEtag(etag), 'latin1');
  return `${md5.digest('hex').toUpperCase()}-${partEtags.length}`;
}

export function quoteEtag(e: string): string {
  return `"${e}"`;
}

const QUOTE_FORMS = ['"', '&quot;', '&#34;'] as const;

/** Strips one pair of surrounding quotes in any of the forms clients send, then uppercases. */
export function normalizeEtag(s: string): string {
  let v = s.trim();
  for (const q of QUOTE_FORMS) {
    if (v.length >= 2 * q.length && v.startsWith(q) && v.endsWith(q)) {
      v = v.slice(q.length, v.length - q.length);
      break;
    }
  }
  return v.toUpperCase();
}
