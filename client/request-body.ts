// Request bodies. Each attempt opens a fresh stream, so a body made from bytes or a file range can be sent again by
// a retry; a caller's Readable can be sent once, so a request carrying one is not retried (the C++ SDK fails with
// CURLE_SEND_FAIL_REWIND where it cannot rewind).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Readable, Transform } from 'node:stream';
import { validateError } from './errors.js';

/** What a caller may upload: bytes, text (UTF-8) or a stream (sent chunked). */
export type BodyInput = Buffer | Uint8Array | string | Readable;

export interface RequestBody {
  /** byte count when known up front (sent as Content-Length); undefined: sent chunked */
  readonly length?: number;
  readonly replayable: boolean;
  open(): Readable;
}

const CHUNK = 64 * 1024;

export function bytesBody(data: Buffer | Uint8Array | string): RequestBody {
  const bytes =
    typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return {
    length: bytes.length,
    replayable: true,
    // Slices keep the writes small, so an abort lands between chunks instead of after one huge socket write.
    open: () => Readable.from(slices(bytes), { objectMode: false }),
  };
}

function* slices(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += CHUNK) yield bytes.subarray(at, Math.min(at + CHUNK, bytes.length));
}

export function streamBody(stream: Readable, length?: number): RequestBody {
  let opened = false;
  return {
    length,
    replayable: false,
    open: () => {
      if (opened) throw validateError('A stream body can be sent only once.');
      opened = true;
      return stream;
    },
  };
}

/** `length` bytes of a file from `start` (default: the rest of the file). */
export async function fileBody(path: string, o: { start?: number; length?: number } = {}): Promise<RequestBody> {
  const start = o.start ?? 0;
  const length = o.length ?? (await fileSize(path)) - start;
  if (length <= 0) return bytesBody(Buffer.alloc(0));
  return {
    length,
    replayable: true,
    open: () => createReadStream(path, { start, end: start + length - 1, highWaterMark: CHUNK }),
  };
}

export function toRequestBody(input: BodyInput): RequestBody {
  if (input instanceof Readable) return streamBody(input);
  if (typeof input === 'string' || input instanceof Uint8Array) return bytesBody(input);
  throw validateError('The body must be a Buffer, Uint8Array, string or Readable.');
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    throw validateError(`Cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Passes a stream through, showing every chunk to `observe` first (CRC-64 and byte counts of what was sent).
 * Destroying the result destroys the source, even before anything was read from it; the source's errors reach the
 * result.
 */
export function tap(source: Readable, observe: (chunk: Buffer) => void): Readable {
  const through = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      observe(bytes);
      done(null, bytes);
    },
  });
  pipeline(source, through, () => undefined);
  return through;
}
