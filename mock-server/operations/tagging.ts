// Object tagging: the tag rules shared by the `x-oss-tagging` header of the writes and the PutObjectTagging body, and
// the Put/Get/DeleteObjectTagging handlers (docs/protocol.md#object-tagging).
//
// Limits (developer-reference/putobjecttagging and the EC pages cited below; aliyun-oss-python-sdk
// tests/test_object.py runs them against real OSS): at most 10 tags, unique keys, a key of 1-128 characters, a value
// of 0-256, made of letters (any script: the SDK tests tag with 中文), digits, space and + - = . _ : /.
import { CAUSE_EC, OssError } from '../../protocol/errors.js';
import { fromWireHeader } from '../../protocol/signing.js';
import { parseXml, xmlArray } from '../../protocol/xml.js';
import type { Exchange } from '../exchange/exchange.js';
import { sendEmpty, sendXml } from '../exchange/reply.js';
import { receiveSmallBody } from '../ingest/body-reader.js';
import type { ObjectTag } from '../storage/store.js';
import { objectTarget, type Handler } from './handler.js';
import { requestHeader } from '../exchange/request-target.js';
import { versionHeaders, versionIdOf } from './versioning.js';

export const MAX_TAGS = 10;
export const MAX_TAG_KEY_CHARS = 128;
export const MAX_TAG_VALUE_CHARS = 256;
const TAG_CHARACTERS = /^[\p{L}\p{N} +\-=._:/]*$/u;
/** ten tags of the longest key and value are under 4 KiB of XML; anything far larger is not a tagging document */
const MAX_TAGGING_BODY_BYTES = 64 * 1024;

/**
 * InvalidTag with the EC OSS gives each case: key too long https://help.aliyun.com/en/oss/user-guide/0010-00000209,
 * value too long .../0010-00000214, bad characters, more than 10 tags or a repeated key .../0010-00000217 (a key
 * repeated in a PutObjectTagging body: .../0010-00000210), a malformed x-oss-tagging header
 * https://www.alibabacloud.com/help/en/oss/support/0010-00000219. The code name is S3's for the same checks; OSS's
 * pages name only the EC, so it is unverified (docs/protocol.md#object-tagging).
 */
function invalidTag(message: string, ec: string): OssError {
  return new OssError('InvalidTag', { message, ec });
}

const chars = (s: string): number => [...s].length;

/**
 * Throws InvalidTag unless `tags` is a tag set OSS accepts; returns it unchanged. `from`: where the tags came from
 * (a repeated key has its own EC in a PutObjectTagging body).
 */
export function validateTags(tags: readonly ObjectTag[], from: 'header' | 'body' = 'header'): readonly ObjectTag[] {
  if (tags.length > MAX_TAGS) {
    throw invalidTag(`An object can have at most ${MAX_TAGS} tags.`, CAUSE_EC.tagInvalid);
  }
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (key === '') throw invalidTag('The tag key cannot be empty.', CAUSE_EC.tagInvalid);
    if (chars(key) > MAX_TAG_KEY_CHARS) {
      throw invalidTag(`The tag key is longer than ${MAX_TAG_KEY_CHARS} characters.`, CAUSE_EC.tagKeyTooLong);
    }
    if (chars(value) > MAX_TAG_VALUE_CHARS) {
      throw invalidTag(`The tag value is longer than ${MAX_TAG_VALUE_CHARS} characters.`, CAUSE_EC.tagValueTooLong);
    }
    if (!TAG_CHARACTERS.test(key) || !TAG_CHARACTERS.test(value)) {
      throw invalidTag(
        'Tag keys and values may hold letters, digits, spaces and the characters + - = . _ : / only.',
        CAUSE_EC.tagInvalid,
      );
    }
    if (seen.has(key)) {
      const ec = from === 'body' ? CAUSE_EC.tagKeyRepeatedInBody : CAUSE_EC.tagInvalid;
      throw invalidTag(`The tag key ${JSON.stringify(key)} is repeated.`, ec);
    }
    seen.add(key);
  }
  return tags;
}

/**
 * `x-oss-tagging: k1=v1&k2=v2`: keys and values URL-encoded, a pair without `=` is a key with an empty value
 * (developer-reference/putobject, x-oss-tagging), more than one `=` in a pair is refused (0010-00000219).
 */
export function parseTaggingHeader(raw: string): ObjectTag[] {
  const text = fromWireHeader(raw);
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw invalidTag('The x-oss-tagging header is not URL-encoded.', CAUSE_EC.taggingHeaderMalformed);
    }
  };
  const tags: ObjectTag[] = [];
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const parts = pair.split('=');
    if (parts.length > 2) {
      throw invalidTag('Each x-oss-tagging pair must be key or key=value.', CAUSE_EC.taggingHeaderMalformed);
    }
    tags.push({ key: decode(parts[0]!), value: decode(parts[1] ?? '') });
  }
  return tags;
}

/** The tags of a write request's x-oss-tagging header, validated; undefined when the header is absent. */
export function taggingOf(ex: Exchange): readonly ObjectTag[] | undefined {
  const raw = requestHeader(ex.req, 'x-oss-tagging');
  return raw === undefined ? undefined : validateTags(parseTaggingHeader(raw));
}

/**
 * `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>`; anything else is MalformedXML, with the EC OSS
 * documents for a body that is not well-formed or not of that shape (0010-00000101) and for another root element
 * (0010-00000102).
 */
export function parseTaggingXml(text: string): ObjectTag[] {
  const malformed = (): OssError => new OssError('MalformedXML', { ec: CAUSE_EC.taggingXmlMalformed });
  let doc: Record<string, unknown>;
  try {
    doc = parseXml(text);
  } catch (err) {
    if (err instanceof OssError && err.code === 'MalformedXML') throw malformed();
    throw err;
  }
  if (!('Tagging' in doc)) throw new OssError('MalformedXML', { ec: CAUSE_EC.taggingXmlRoot });
  const root = doc.Tagging;
  if (typeof root !== 'object' || root === null || !('TagSet' in root)) throw malformed();
  const tagSet = (root as Record<string, unknown>).TagSet;
  if (tagSet === '') return [];
  if (typeof tagSet !== 'object' || tagSet === null || Array.isArray(tagSet)) throw malformed();
  const tags: ObjectTag[] = [];
  for (const tag of xmlArray((tagSet as Record<string, unknown>).Tag as unknown[] | undefined)) {
    if (typeof tag !== 'object' || tag === null) throw malformed();
    const { Key: key, Value: value } = tag as Record<string, unknown>;
    if (typeof key !== 'string' || (value !== undefined && typeof value !== 'string')) {
      throw malformed();
    }
    tags.push({ key, value: value ?? '' });
  }
  return tags;
}

/** `x-oss-tagging-directive` of CopyObject: Copy (default) keeps the source's tags, Replace takes the request's. */
export function taggingDirectiveOf(ex: Exchange): 'COPY' | 'REPLACE' {
  const raw = requestHeader(ex.req, 'x-oss-tagging-directive');
  if (raw === undefined) return 'COPY';
  const d = raw.trim().toUpperCase();
  if (d !== 'COPY' && d !== 'REPLACE') {
    throw new OssError('InvalidArgument', { extra: { ArgumentName: 'x-oss-tagging-directive', ArgumentValue: raw } });
  }
  return d;
}

/** PutObjectTagging replaces the whole tag set; Last-Modified does not change (developer-reference/putobjecttagging). */
export const putObjectTagging: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const text = (await receiveSmallBody(ex, s.control, MAX_TAGGING_BODY_BYTES)).toString('utf8');
  const tags = validateTags(parseTaggingXml(text), 'body');
  const meta = await s.store.updateObjectMeta(bucket, key, () => ({ tags }), versionIdOf(ex));
  sendEmpty(ex, 200, versionHeaders(meta));
};

/** An object without tags answers an empty TagSet (alibabacloud-oss-go-sdk-v2 TestGetObjectTagging, real OSS). */
export const getObjectTagging: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const meta = await s.store.headObject(bucket, key, versionIdOf(ex));
  sendXml(
    ex,
    'Tagging',
    { TagSet: { Tag: (meta.tags ?? []).map((t) => ({ Key: t.key, Value: t.value })) } },
    versionHeaders(meta),
  );
};

/** 204, tags or not (developer-reference/deleteobjecttagging). */
export const deleteObjectTagging: Handler = async (ex, s) => {
  const { bucket, key } = objectTarget(ex);
  const meta = await s.store.updateObjectMeta(bucket, key, () => ({ tags: undefined }), versionIdOf(ex));
  sendEmpty(ex, 204, versionHeaders(meta));
};
