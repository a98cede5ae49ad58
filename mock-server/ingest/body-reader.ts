// The one body reader. It pulls the request only as fast as the plan's live ingest rate allows (the socket is stopped
// meanwhile: real backpressure), hashes MD5 and CRC-64 once on the fly, hands every byte to a StagedBody and seals it
// only after a clean end with the promised length (docs/architecture.md#guarantees). Whatever goes wrong, the staged
// bytes are discarded: nothing partial is ever committed.

import { createHash, type Hash } from 'node:crypto';
import { createCrc64, type Crc64Hasher } from '../../protocol/crc64.js';
import { OssError } from '../../protocol/errors.js';
import type { Exchange } from '../exchange/exchange.js';
import { eventSubject } from '../control/events.js';
import type { BodyDigest, StagedBody } from '../storage/store.js';
import { ChunkReader, IdleTimeoutError } from './chunk-reader.js';
import { closeAfterResponse, watchRequest } from '../exchange/disconnect.js';
import { continueIfExpected } from '../exchange/reply.js';
import { BodyAbortedError, FaultFiredError } from './errors.js';
import { fireFault, type PlannedFault } from './faults.js';
import type { IngestHooks } from './hooks.js';
import { promisedLength } from './length.js';
import { MemorySink } from './memory-sink.js';
import { HashWorkerGoneError, PARALLEL_MD5_MIN_BYTES, startMd5Job, type Md5Job } from './md5-worker.js';
import { TokenBucket } from '../rates/token-bucket.js';

export const DEFAULT_BODY_IDLE_TIMEOUT_MS = 60_000;

export interface ReceiveOptions {
  /** the Content-MD5 header to verify (base64 of the binary MD5) */
  contentMd5?: string;
  /** larger bodies are refused with 400 InvalidArgument (PutObject over 5 GB, docs/protocol.md#error-catalogue,
   * docs/protocol.md#limits) */
  maxSize?: number;
}

interface ReadOptions {
  maxSize?: number;
  tooLarge: () => OssError;
}

/**
 * Where the body reader hands a request body, batch by batch: a staged body (with the digests the store needs) or a
 * streaming parser (PostObject's form, ingest/form-reader.ts). The reader owns pacing, faults, the in-flight count and
 * the client watch; the consumer only sees bytes, in order, once each.
 */
export interface BodyConsumer<T> {
  /** the next bytes of the body; the reader waits for it before reading more (backpressure) */
  write(chunks: readonly Buffer[]): Promise<void>;
  /** the body ended cleanly after `size` bytes (its promised length): check and seal, or throw an OssError */
  end(size: number): Promise<T>;
  /** the body failed: drop whatever was kept (best effort, may be called after end() threw) */
  discard(): Promise<void>;
}

/**
 * Reads ex.req to its end into `sink` and seals it. Throws OssError (answer it: InvalidDigest, RequestTimeout, a
 * size error, an `error` fault), BodyAbortedError or FaultFiredError (do not answer). The sink is discarded on
 * every failure.
 */
export function receiveBody(
  ex: Exchange,
  control: IngestHooks,
  sink: StagedBody,
  o: ReceiveOptions = {},
): Promise<BodyDigest> {
  const length = promisedLength(ex.req);
  // A throttled body is paced by its rate, not by hashing, so the worker would only add its ring copy; and paced bodies
  // that end together queue their last ring slots behind the one worker, finishing late against the rate they were given.
  const large = length !== null && length >= PARALLEL_MD5_MIN_BYTES && ex.plan.ingestRate() === undefined;
  return pumpBody(ex, control, new DigestingConsumer(sink, o.contentMd5, large), {
    ...(o.maxSize === undefined ? {} : { maxSize: o.maxSize }),
    tooLarge: () => new OssError('InvalidArgument'),
  });
}

/**
 * An XML request body held in memory (CompleteMultipartUpload, DeleteMultipleObjects...). Over `limit` bytes is 400
 * MalformedXML, as OSS answers for a DeleteMultipleObjects body over 2 MB (docs/protocol.md#delete-multiple-objects).
 */
export async function receiveSmallBody(
  ex: Exchange,
  control: IngestHooks,
  limit: number,
  o: { contentMd5?: string } = {},
): Promise<Buffer> {
  const sink = new MemorySink();
  await pumpBody(ex, control, new DigestingConsumer(sink, o.contentMd5), {
    maxSize: limit,
    tooLarge: () => new OssError('MalformedXML'),
  });
  return sink.buffer();
}

/** Hashes MD5 and CRC-64 as the bytes pass into a staged body; checks Content-MD5 and seals it at the end. */
export class DigestingConsumer implements BodyConsumer<BodyDigest> {
  private md5: Hash = createHash('md5');
  private crc: Crc64Hasher | undefined;
  /** MD5 on the worker thread (a large body); undefined: inline, as for every small or chunked body */
  private job: Md5Job | undefined;

  /**
   * `large`: the body was promised to be at least PARALLEL_MD5_MIN_BYTES long and no ingest rate applied when it
   * started, so its MD5 is computed on the worker thread while this thread computes CRC-64 and the store writes the
   * bytes.
   */
  constructor(
    private readonly sink: StagedBody,
    private readonly contentMd5?: string,
    private large = false,
  ) {}

  async write(chunks: readonly Buffer[]): Promise<void> {
    this.crc ??= await createCrc64();
    if (this.large) {
      this.large = false;
      this.job = startMd5Job();
    }
    if (this.job === undefined) {
      for (const chunk of chunks) {
        this.md5.update(chunk);
        this.crc.update(chunk);
      }
      await this.sink.writev(chunks);
      return;
    }
    // the store's write (file store: on libuv's threads), the worker's MD5 and this thread's CRC-64 all at once
    const written = this.sink.writev(chunks);
    written.catch(() => undefined); // awaited below; a failure must not be unhandled meanwhile
    const hashed = this.job.update(chunks);
    hashed.catch(() => undefined);
    for (const chunk of chunks) this.crc.update(chunk);
    try {
      await hashed;
    } catch (err) {
      await written;
      await this.hashInline(err);
      return;
    }
    await written;
  }

  async end(size: number): Promise<BodyDigest> {
    this.crc ??= await createCrc64();
    let md5: Buffer;
    if (this.job === undefined) {
      md5 = this.md5.digest();
    } else {
      try {
        md5 = await this.job.digest();
      } catch (err) {
        await this.hashInline(err);
        md5 = this.md5.digest();
      }
    }
    const digest: BodyDigest = { size, md5, crc64: this.crc.digest() };
    if (this.contentMd5 !== undefined && !md5Matches(this.contentMd5, digest.md5)) throw new OssError('InvalidDigest');
    await this.sink.seal(digest);
    return digest;
  }

  discard(): Promise<void> {
    this.job?.cancel();
    this.job = undefined;
    return discardQuietly(this.sink);
  }

  /**
   * The worker went away with this body's MD5 state: hash again, inline, what the store holds so far (every write
   * has resolved), and go on inline. A sink that cannot read its bytes back fails the body.
   */
  private async hashInline(err: unknown): Promise<void> {
    this.job?.cancel();
    this.job = undefined;
    if (!(err instanceof HashWorkerGoneError) || this.sink.readWritten === undefined) throw err;
    this.md5 = createHash('md5');
    for await (const chunk of this.sink.readWritten()) this.md5.update(chunk);
  }
}

function md5Matches(contentMd5: string, md5: Buffer): boolean {
  const given = /^[A-Za-z0-9+/]{22}==$/.test(contentMd5.trim()) ? Buffer.from(contentMd5.trim(), 'base64') : null;
  return given !== null && given.equals(md5);
}

async function discardQuietly(sink: { discard(): Promise<void> }): Promise<void> {
  try {
    await sink.discard();
  } catch {
    // discarding is best effort: the request already failed for a better reason
  }
}

/** The largest body the whole-body path takes (node's parser had it all before the handler ran). */
export const WHOLE_BODY_MAX = 1024 * 1024;

/**
 * The body, when it can be taken in one step: node's parser already holds all of it (a small body usually arrives
 * with its headers), nothing was read yet, the connection is still open, and nothing could make its delivery
 * observable byte by byte -- no throttle, no fault planned inside the body, no pending wait. Otherwise undefined,
 * and the body goes through the chunk reader.
 *
 * With a Content-Length, holding that many bytes is having the whole body even before `req.complete`: node hands the
 * last body bytes to the request (and runs the handler's pending continuations) before its parser reports the message
 * complete, in the same read of the socket, so a handler that reaches here at that moment -- the usual case for a
 * body that came with its headers -- finds every byte there and the message not yet marked complete. A chunked body
 * is whole only once complete (its length is known only at its end).
 */
function wholeBody(ex: Exchange, control: IngestHooks, length: number | null): Buffer | undefined {
  const { req, plan } = ex;
  if (req.readableDidRead || req.readableFlowing === true) return undefined;
  const size = req.readableLength;
  if (length === null ? !req.complete : size !== length) return undefined;
  if (size > WHOLE_BODY_MAX) return undefined;
  const socket = req.socket;
  if (socket.destroyed || socket.readableEnded || req.destroyed) return undefined;
  if (plan.fault !== undefined || control.waiting || plan.ingestRate() !== undefined) return undefined;
  if (size === 0) return Buffer.alloc(0);
  // one chunk is handed out as it is; several are joined (bounded by WHOLE_BODY_MAX)
  const body = req.read() as Buffer | null;
  if (body === null || body.length !== size) return undefined;
  // the parser's end of the message comes next: flowing, the request ends ('end', then 'close') as it would after a
  // read of a complete body
  if (!req.complete) req.resume();
  return body;
}

/** The whole-body path: the same checks, events and in-flight registration as the pump, in one step. */
async function takeWhole<T>(
  ex: Exchange,
  control: IngestHooks,
  consumer: BodyConsumer<T>,
  o: ReadOptions,
  body: Buffer,
  length: number | null,
): Promise<T> {
  try {
    if (o.maxSize !== undefined && body.length > o.maxSize) throw o.tooLarge();
    control.bodyTaken('whole');
    const tracker = control.trackBody(ex.ctx, length);
    tracker.received(body.length);
    tracker.end(false);
    if (body.length > 0) await consumer.write([body]);
    return await consumer.end(body.length);
  } catch (err) {
    await discardQuietly(consumer);
    throw err;
  }
}

/**
 * The one loop that reads a request body: registers it in flight, paces it by the plan's live ingest rate, fires a
 * planned fault at its byte offset, watches the client, and hands every batch to `consumer`. Throws OssError (answer
 * it), BodyAbortedError or FaultFiredError (do not answer); the consumer is discarded on every failure.
 */
export async function pumpBody<T>(
  ex: Exchange,
  control: IngestHooks,
  consumer: BodyConsumer<T>,
  o: ReadOptions,
): Promise<T> {
  const { req, plan } = ex;
  const length = promisedLength(req);
  if (o.maxSize !== undefined && length !== null && length > o.maxSize) {
    await discardQuietly(consumer);
    closeAfterResponse(ex.res);
    throw o.tooLarge();
  }
  const whole = wholeBody(ex, control, length);
  if (whole !== undefined) return takeWhole(ex, control, consumer, o, whole, length);
  continueIfExpected(req, ex.res);
  control.bodyTaken('streamed');
  const idleMs = control.config.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;
  const tracker = control.trackBody(ex.ctx, length, plan);
  const watch = watchRequest(req);
  const reader = new ChunkReader(req);
  /** The request stream failed: Node destroys it only when its connection broke ('aborted', ECONNRESET). */
  let connectionBroke = false;
  const bucket = new TokenBucket(() => plan.ingestRate());
  let aborted = false;
  let pending: { fault: PlannedFault; at: number } | undefined =
    plan.fault?.afterBytes === undefined ? undefined : { fault: plan.fault, at: plan.fault.afterBytes };
  try {
    for (;;) {
      if (pending !== undefined && tracker.bytesReceived >= pending.at) {
        const { fault } = pending;
        pending = undefined;
        await watch.whilePaused(() => fireFault(ex, control, fault, tracker.bytesReceived, watch.signal));
      }
      const room = pending === undefined ? Number.POSITIVE_INFINITY : pending.at - tracker.bytesReceived;
      // unthrottled, this is whatever arrived meanwhile (up to MAX_BATCH_BYTES): one write and one wait per batch
      const chunks = await reader.next(Math.min(bucket.pieceSize(), room), watch.signal, idleMs).catch((err) => {
        connectionBroke = !(err instanceof IdleTimeoutError);
        throw err;
      });
      if (chunks === null) break;
      let size = 0;
      for (const chunk of chunks) size += chunk.length;
      if (o.maxSize !== undefined && tracker.bytesReceived + size > o.maxSize) throw o.tooLarge();
      for (const chunk of chunks) tracker.received(chunk.length);
      await consumer.write(chunks);
      // a throttle wait is a pause: the socket is not read meanwhile, so the watch looks at it another way
      if (bucket.take(size) > 0) await watch.whilePaused(() => bucket.repay(watch.signal));
    }
    // every byte has passed the throttle: the body has arrived, and a client leaving now interrupts nothing
    watch.delivered();
    // node's parser ends a Content-Length body only at that length; a mismatch would mean a truncated body
    if (length !== null && tracker.bytesReceived !== length) throw new OssError('IncompleteBody');
    return await consumer.end(tracker.bytesReceived);
  } catch (err) {
    await discardQuietly(consumer);
    if (err instanceof FaultFiredError) throw err;
    // Whatever is answered now leaves the rest of the body unread on the connection: it cannot carry another request.
    if (!req.complete) closeAfterResponse(ex.res);
    if (err instanceof OssError) throw err;
    if (err instanceof IdleTimeoutError) throw new OssError('RequestTimeout');
    // The client left when the disconnect watch says so or reading its request failed. `req.destroyed` does not say
    // it: Node destroys a request by itself once its body has ended, so a storage failure after the last byte (a
    // disk full at the final write) would be taken for a departure and never answered.
    if (watch.signal.aborted || connectionBroke) {
      aborted = true;
      control.emit({ type: 'body.aborted', ...eventSubject(ex.ctx), bytesReceived: tracker.bytesReceived });
      throw new BodyAbortedError(tracker.bytesReceived);
    }
    // A storage error (ENOSPC, EIO...) is the server's own failure: answered 500 InternalError by http/.
    throw err;
  } finally {
    tracker.end(aborted);
    watch.dispose();
    reader.detach();
  }
}
