// XML codecs for request and response bodies (CompleteMultipartUpload, DeleteMultipleObjects, CreateBucket
// configuration in; every result document out).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { OssError } from './errors.js';

export {
  buildXml,
  escapeXmlText,
  xmlRaw,
  xmlSequence,
  XML_DECLARATION,
  type XmlRaw,
  type XmlSequence,
  type XmlValue,
} from './xml-writer.js';

const TEXT = '#text';
const CDATA = '#cdata';

// Entities are decoded here, not by the library: only XML's five predefined entities and numeric character references
// exist in OSS request bodies (Go's encoding/xml sends ETag quotes as &#34;, docs/protocol.md#multipart).
// DOCTYPE-declared entities are refused outright, so no expansion attack is possible.
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  cdataPropName: CDATA,
  textNodeName: TEXT,
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

function malformed(): OssError {
  return new OssError('MalformedXML');
}

function decodeEntities(text: string): string {
  return text.replace(/&([^;&]*);?/g, (match, ref: string) => {
    if (!match.endsWith(';')) throw malformed();
    const named = PREDEFINED[ref];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (!m) throw malformed();
    const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
    if (!(code >= 1 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw malformed();
    return String.fromCodePoint(code);
  });
}

/** Normalises the library's tree: entities decoded, CDATA merged into text, whitespace between elements dropped. */
function normalise(node: unknown): unknown {
  if (typeof node === 'string') return decodeEntities(node);
  if (Array.isArray(node)) return node.map(normalise);
  if (node === null || typeof node !== 'object') return '';
  const entries = Object.entries(node as Record<string, unknown>);
  const text = (v: unknown): string => (Array.isArray(v) ? v.join('') : String(v ?? ''));
  const elements = entries.filter(([k]) => k !== TEXT && k !== CDATA);
  const textValue = entries.reduce(
    (acc, [k, v]) => (k === TEXT ? acc + decodeEntities(text(v)) : k === CDATA ? acc + text(v) : acc),
    '',
  );
  if (elements.length === 0) return textValue;
  const out: Record<string, unknown> = {};
  for (const [k, v] of elements) {
    Object.defineProperty(out, k, { value: normalise(v), enumerable: true, writable: true, configurable: true });
  }
  if (textValue.trim() !== '') out[TEXT] = textValue;
  return out;
}

/**
 * Parses a request body into `{ RootTag: … }`. Every element value is a string (leaf, possibly ''), an object of
 * child elements, or an array when a tag repeats; use xmlArray to read repeatable elements. Attributes are ignored.
 * Anything not well-formed, with more than one root, or with a DOCTYPE throws OssError('MalformedXML').
 */
export function parseXml(text: string): Record<string, unknown> {
  if (XMLValidator.validate(text) !== true) throw malformed();
  if (/<!DOCTYPE/i.test(text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''))) throw malformed();
  let tree: unknown;
  try {
    tree = parser.parse(text);
  } catch {
    throw malformed();
  }
  const doc = normalise(tree);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw malformed();
  const roots = Object.keys(doc);
  if (roots.length !== 1 || roots[0] === TEXT || Array.isArray((doc as Record<string, unknown>)[roots[0]!])) {
    throw malformed();
  }
  return doc as Record<string, unknown>;
}

/** A repeatable element as an array: absent -> [], single -> [v]. */
export function xmlArray<T>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
