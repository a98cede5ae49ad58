// XML serialisation for OSS response bodies. Kept apart from the parser so errors.ts can render envelopes without
// an import cycle (the parser throws OssError).

export type XmlValue =
  string | number | boolean | bigint | XmlValue[] | XmlSequence | XmlRaw | { [tag: string]: XmlValue | undefined };

const SEQUENCE = Symbol('xml sequence');
const RAW = Symbol('xml raw');

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

/**
 * Elements already written as XML, put in the document as they are in place of the elements the member's tag would
 * name (as an array repeats its tag, `Contents: xmlRaw(entries)` stands for the `<Contents>` elements `entries` holds).
 * For listings, whose hundreds of entries are cheaper to write straight into a string than to build as objects; the
 * writer of the raw text must escape as escapeXmlText does.
 */
export interface XmlRaw {
  readonly [RAW]: string;
}

export function xmlRaw(xml: string): XmlRaw {
  return { [RAW]: xml };
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

// C0 controls other than tab and LF are not XML 1.0 characters; CR would be normalised away by the reader.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]/g;
// the same class without the global flag, so test() keeps no lastIndex between calls
// eslint-disable-next-line no-control-regex
const HAS_ESCAPE = /[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]/;

/**
 * Escapes element text. Quotes stay literal because OSS writes ETags as `<ETag>"…"</ETag>`. Controls become character
 * references (XML 1.1 style): strict XML 1.0 readers still refuse them, which is why OSS expects keys holding them to
 * be listed with encoding-type=url (docs/protocol.md#listing), but nothing is silently lost.
 */
export function escapeXmlText(s: string): string {
  // most text needs no escape: a test is much cheaper than a replace that allocates its result
  if (!HAS_ESCAPE.test(s)) return s;
  return s.replace(NEEDS_ESCAPE, (c) => TEXT_ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16)};`);
}

/** `<?xml …?>` + `<root>…</root>`; arrays repeat their tag, undefined members are omitted, key order is kept. */
export function buildXml(root: string, body: XmlValue): string {
  return `${XML_DECLARATION}\n${element(root, body)}`;
}

function element(tag: string, value: XmlValue): string {
  if (Array.isArray(value)) {
    let out = '';
    for (const v of value) out += element(tag, v);
    return out;
  }
  if (typeof value === 'object' && RAW in value) return value[RAW];
  return `<${tag}>${content(value)}</${tag}>`;
}

function content(value: Exclude<XmlValue, XmlValue[] | XmlRaw>): string {
  if (typeof value !== 'object') return escapeXmlText(String(value));
  let out = '';
  if (SEQUENCE in value) {
    for (const [tag, child] of value[SEQUENCE]) out += element(tag, child);
    return out;
  }
  for (const [tag, child] of Object.entries(value)) {
    if (child !== undefined) out += element(tag, child);
  }
  return out;
}
