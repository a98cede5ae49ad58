// XML serialisation for OSS response bodies. Kept apart from the parser so errors.ts can render envelopes without
// an import cycle (the parser throws OssError).

export type XmlValue =
  string | number | boolean | bigint | XmlValue[] | XmlSequence | { [tag: string]: XmlValue | undefined };

const SEQUENCE = Symbol('xml sequence');

/**
 * Children in the given order where elements of different names interleave (a listing's Version and DeleteMarker
 * entries), which an object's keys cannot express.
 */
export interface XmlSequence {
  readonly [SEQUENCE]: ReadonlyArray<readonly [string, XmlValue]>;
}

export function xmlSequence(children: ReadonlyArray<readonly [string, XmlValue]>): XmlSequence {
  return { [SEQUENCE]: children };
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

// C0 controls other than tab and LF are not XML 1.0 characters; CR would be normalised away by the reader.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]/g;

/**
 * Escapes element text. Quotes stay literal because OSS writes ETags as `<ETag>"…"</ETag>`. Controls become character
 * references (XML 1.1 style): strict XML 1.0 readers still refuse them, which is why OSS expects keys holding them to
 * be listed with encoding-type=url (docs/protocol.md#listing), but nothing is silently lost.
 */
export function escapeXmlText(s: string): string {
  return s.replace(NEEDS_ESCAPE, (c) => TEXT_ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16)};`);
}

/** `<?xml …?>` + `<root>…</root>`; arrays repeat their tag, undefined members are omitted, key order is kept. */
export function buildXml(root: string, body: XmlValue): string {
  return `${XML_DECLARATION}\n${element(root, body)}`;
}

function element(tag: string, value: XmlValue): string {
  if (Array.isArray(value)) return value.map((v) => element(tag, v)).join('');
  return `<${tag}>${content(value)}</${tag}>`;
}

function content(value: Exclude<XmlValue, XmlValue[]>): string {
  if (typeof value !== 'object') return escapeXmlText(String(value));
  if (SEQUENCE in value) return value[SEQUENCE].map(([tag, child]) => element(tag, child)).join('');
  let out = '';
  for (const [tag, child] of Object.entries(value)) {
    if (child !== undefined) out += element(tag, child);
  }
  return out;
}
