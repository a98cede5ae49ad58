// ListObjects (v1) and ListObjectsV2: `GET /` on a bucket, `?list-type=2` for v2 (docs/protocol.md#listing).
import { OssError } from '../../protocol/errors.js';
import { xmlRaw, type XmlRaw } from '../../protocol/xml.js';
import { sendXml } from '../exchange/reply.js';
import { queryValue } from '../exchange/request-target.js';
import type { ObjectMeta } from '../storage/store.js';
import type { Handler, OperationServices } from './handler.js';
import { listPage, type Page } from './list-page.js';
import { commonPrefixXml, contentsXml, type EntryContext } from './listing-xml.js';
import { intParam, keyEncoding, textParam, type KeyEncoding } from './params.js';

/** The Contents and CommonPrefixes of a page, in listing order within each. */
function pageBody(page: Page<ObjectMeta>, enc: KeyEncoding, withOwner: boolean): Record<string, XmlRaw> {
  const c: EntryContext = { encode: enc.encode, now: new Date() };
  let items = '';
  let prefixes = '';
  for (const e of page.entries) {
    if (e.kind === 'item') items += contentsXml(e.item, c, withOwner);
    else prefixes += commonPrefixXml(e.prefix, c);
  }
  return { Contents: xmlRaw(items), CommonPrefixes: xmlRaw(prefixes) };
}

interface ListInput {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  enc: KeyEncoding;
}

function listInput(query: Record<string, string>): ListInput {
  return {
    prefix: textParam(query, 'prefix'),
    delimiter: queryValue(query, 'delimiter') ?? '',
    maxKeys: intParam(query, 'max-keys', { min: 1, max: 1000, fallback: 100 }),
    enc: keyEncoding(query),
  };
}

/**
 * One page of the bucket after `marker`, reading no more of the index than the page needs: max-keys + 1 objects
 * (the one past the page tells whether it is truncated); with a delimiter, keys rolled up into common prefixes
 * are not entries, so more are read, doubling each time, until the page is full or the keys run out.
 */
async function objectPage(
  s: OperationServices,
  bucket: string,
  input: ListInput,
  marker: string,
): Promise<Page<ObjectMeta>> {
  const items: ObjectMeta[] = [];
  for (let want = input.maxKeys + 1; ; want *= 2) {
    const after = items.length > 0 ? items[items.length - 1]!.key : marker;
    const batch = await s.store.listObjects(bucket, { prefix: input.prefix, after, limit: want - items.length });
    items.push(...batch);
    const page = listPage({ items, keyOf: (m) => m.key, ...input, max: input.maxKeys, marker });
    if (page.truncated || items.length < want) return page;
  }
}

export const listObjects: Handler = async (ex, s) => {
  const bucket = ex.ctx.bucket!;
  const input = listInput(ex.query);
  const marker = textParam(ex.query, 'marker');
  const page = await objectPage(s, bucket, input, marker);
  const { encode } = input.enc;
  sendXml(ex, 'ListBucketResult', {
    Name: bucket,
    Prefix: encode(input.prefix),
    Marker: encode(marker),
    MaxKeys: input.maxKeys,
    Delimiter: encode(input.delimiter),
    EncodingType: input.enc.type,
    IsTruncated: page.truncated,
    // only when truncated; oss2 reads it only then (docs/protocol.md#listing)
    NextMarker: page.truncated ? encode(page.last!) : undefined,
    // ali-oss dereferences Contents/Owner/ID in v1 (docs/protocol.md#listing)
    ...pageBody(page, input.enc, true),
  });
};

/** Continuation tokens are base64url of the last key: URL-safe, since clients URL-decode them
 * (docs/protocol.md#listing). */
export function encodeContinuationToken(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

export function decodeContinuationToken(token: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new OssError('InvalidArgument', {
      message: 'The continuation token provided is incorrect.',
      extra: { ArgumentName: 'continuation-token', ArgumentValue: token },
    });
  }
  return Buffer.from(token, 'base64url').toString('utf8');
}

export const listObjectsV2: Handler = async (ex, s) => {
  const bucket = ex.ctx.bucket!;
  if (ex.query['list-type'] !== '2') {
    throw new OssError('InvalidArgument', {
      extra: { ArgumentName: 'list-type', ArgumentValue: ex.query['list-type'] ?? '' },
    });
  }
  const input = listInput(ex.query);
  const token = queryValue(ex.query, 'continuation-token');
  const startAfter = textParam(ex.query, 'start-after');
  const marker = token !== undefined ? decodeContinuationToken(token) : startAfter;
  const fetchOwner = queryValue(ex.query, 'fetch-owner')?.toLowerCase() === 'true';
  const page = await objectPage(s, bucket, input, marker);
  const { encode } = input.enc;
  sendXml(ex, 'ListBucketResult', {
    Name: bucket,
    Prefix: encode(input.prefix),
    StartAfter: startAfter === '' ? undefined : encode(startAfter),
    ContinuationToken: token,
    MaxKeys: input.maxKeys,
    Delimiter: encode(input.delimiter),
    EncodingType: input.enc.type,
    IsTruncated: page.truncated,
    NextContinuationToken: page.truncated ? encodeContinuationToken(page.last!) : undefined,
    KeyCount: page.entries.length,
    ...pageBody(page, input.enc, fetchOwner),
  });
};
