// Getting bytes into a StagedBody: from the request (through ingest/, the one body reader) or from a stored object
// (CopyObject, UploadPartCopy), always with the MD5 and CRC-64 the store needs.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createCrc64 } from '../../protocol/crc64.js';
import { OssError } from '../../protocol/errors.js';
import type { Exchange } from '../exchange/exchange.js';
import { receiveBody } from '../ingest/body-reader.js';
import { watchResponse } from '../exchange/disconnect.js';
import { BodyAbortedError } from '../ingest/errors.js';
import { TokenBucket } from '../rates/token-bucket.js';
import type { BodyDigest, StagedBody } from '../storage/store.js';
import { type OperationServices } from './handler.js';
import { requestHeader } from '../exchange/request-target.js';

/**
 * 411 only when the request promises neither a length nor chunked encoding: the C++ SDK sends chunked bodies without
 * Content-Length, ali-oss streams send both (docs/protocol.md#putobject).
 */
export function requireBodyLength(ex: Exchange): void {
  const chunked = /\bchunked\b/i.test(requestHeader(ex.req, 'transfer-encoding') ?? '');
  if (!chunked && requestHeader(ex.req, 'content-length') === undefined) throw new OssError('MissingContentLength');
}

/**
 * Receives the request body into `staged` (sealed on a clean end), verifying Content-MD5 and, when the client sent one,
 * x-oss-hash-crc64ecma (400 InvalidCRC64, docs/protocol.md#crc-64). The caller discards `staged` if it does not commit
 * it.
 */
export async function receiveInto(
  ex: Exchange,
  s: OperationServices,
  staged: StagedBody,
  maxSize: number,
): Promise<BodyDigest> {
  const contentMd5 = requestHeader(ex.req, 'content-md5');
  const digest = await receiveBody(
    ex,
    s.control,
    staged,
    contentMd5 === undefined ? { maxSize } : { contentMd5, maxSize },
  );
  const claimed = requestHeader(ex.req, 'x-oss-hash-crc64ecma');
  if (claimed !== undefined && claimed.trim() !== digest.crc64.toString()) throw new OssError('InvalidCRC64');
  return digest;
}

/**
 * Streams a stored object (or range) into `staged` and seals it: the server-side half of CopyObject and UploadPartCopy.
 * x-oss-traffic-limit and mock ingest rules slow it like an upload (docs/protocol.md#traffic-limit); a client that
 * hangs up meanwhile stops the copy.
 */
export async function copyInto(ex: Exchange, source: Readable, staged: StagedBody): Promise<BodyDigest> {
  const md5 = createHash('md5');
  const crc = await createCrc64();
  const bucket = new TokenBucket(() => ex.plan.ingestRate());
  const watch = watchResponse(ex.res);
  let size = 0;
  try {
    for await (const data of source) {
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data as Uint8Array);
      md5.update(chunk);
      crc.update(chunk);
      size += chunk.length;
      await staged.write(chunk);
      await bucket.consume(chunk.length, watch.signal);
    }
  } catch (err) {
    if (watch.signal.aborted) throw new BodyAbortedError(size);
    throw err;
  } finally {
    watch.dispose();
    source.destroy();
  }
  const digest: BodyDigest = { size, md5: md5.digest(), crc64: crc.digest() };
  await staged.seal(digest);
  return digest;
}

/** Every body that reaches the store goes through here so a failed request never leaves staged bytes behind. */
export async function withStagedBody<T>(s: OperationServices, use: (staged: StagedBody) => Promise<T>): Promise<T> {
  const staged = await s.store.createStagedBody();
  try {
    return await use(staged);
  } finally {
    // a no-op after a commit (store.ts contract)
    await staged.discard();
  }
}
