// CRC-64 checks as the C++ SDK makes them [src/OssClientImpl.cc hasResponseError; docs/protocol.md#cpp-sdk "CRC-64",
// docs/protocol.md#crc-64]: on PutObject, UploadPart, AppendObject and GetObject, compared only when the response
// carries `x-oss-hash-crc64ecma` and the request had no Range. A missing header is tolerated; a wrong one fails the
// call with ClientError:100001.
import { Readable } from 'node:stream';
import { createCrc64, crc64Combine } from '../protocol/crc64.js';
import { crcMismatchError, type OssClientError } from './errors.js';

export const CRC64_HEADER = 'x-oss-hash-crc64ecma';

/** The decimal header value, or undefined when absent or not a 64-bit unsigned number. */
export function parseCrc64(value: string | undefined): bigint | undefined {
  if (value === undefined || !/^\d{1,20}$/.test(value.trim())) return undefined;
  const crc = BigInt(value.trim());
  return crc <= 0xffffffffffffffffn ? crc : undefined;
}

/** Counts and hashes the bytes of one body as they pass. */
export class Crc64Counter {
  private constructor(
    private readonly hasher: Awaited<ReturnType<typeof createCrc64>>,
    private readonly initCrc: bigint | undefined,
  ) {}

  bytes = 0;

  /** `initCrc`: the CRC of what precedes this body in the object (AppendObject), so the whole-object CRC results. */
  static async create(initCrc?: bigint): Promise<Crc64Counter> {
    return new Crc64Counter(await createCrc64(), initCrc);
  }

  update(chunk: Buffer): void {
    this.hasher.update(chunk);
    this.bytes += chunk.length;
  }

  /** single use */
  digest(): bigint {
    const own = this.hasher.digest();
    return this.initCrc === undefined ? own : crc64Combine(this.initCrc, own, this.bytes);
  }
}

/** The ClientError:100001 for a response whose CRC header disagrees with `actual`, else undefined. */
export function crcMismatch(o: {
  headers: Record<string, string>;
  actual: bigint;
  transferred: number;
  status: number;
}): OssClientError | undefined {
  const server = parseCrc64(o.headers[CRC64_HEADER]);
  if (server === undefined || server === o.actual) return undefined;
  return crcMismatchError({
    server,
    client: o.actual,
    transferred: o.transferred,
    requestId: o.headers['x-oss-request-id'] ?? '',
    status: o.status,
  });
}

/** The CRC of parts laid end to end, from each part's CRC and size (ResumableUploader: CRC64::CombineCRC). */
export function combineCrc64(parts: ReadonlyArray<{ crc64: bigint; size: number }>): bigint {
  let crc = 0n;
  for (const part of parts) crc = crc64Combine(crc, part.crc64, part.size);
  return crc;
}

/**
 * A download stream that fails with ClientError:100001 at its end instead of ending when the bytes disagree with
 * the response's CRC header.
 */
export function verifiedDownload(
  source: Readable,
  counter: Crc64Counter,
  o: { headers: Record<string, string>; status: number },
): Readable {
  async function* pass(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      counter.update(chunk as Buffer);
      yield chunk as Buffer;
    }
    const err = crcMismatch({ ...o, actual: counter.digest(), transferred: counter.bytes });
    if (err) throw err;
  }
  return Readable.from(pass(), { objectMode: false });
}
