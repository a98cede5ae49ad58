// CRC-64 as OSS sends it in `x-oss-hash-crc64ecma` (docs/protocol.md#crc-64): CRC-64/XZ, i.e. ECMA-182 polynomial
// 0x42F0E1EBA9EA3693 reflected (0xC96C5795D7870F42), init and xorout all-ones, check value 0x995DC9BBDF1939FA.
// hash-wasm's default CRC-64 polynomial is exactly this one.
import { createCRC64 } from 'hash-wasm';

/** Incremental CRC-64 of one body; `digest()` may be called once. */
export interface Crc64Hasher {
  update(data: Uint8Array | string): void;
  digest(): bigint;
}

/** The reflected ECMA-182 polynomial, as Go's `crc64.ECMA` table uses it. */
const POLY_REFLECTED = 0xc96c5795d7870f42n;
const MASK64 = 0xffffffffffffffffn;

// hash-wasm instantiates a WebAssembly module per hasher; a digested hasher is returned to this pool and re-init()ed
// for the next body (small-object PUTs spent ~4% of their CPU instantiating). Abandoned hashers are simply collected.
type WasmHasher = Awaited<ReturnType<typeof createCRC64>>;
const pool: WasmHasher[] = [];
const POOL_LIMIT = 64;

export async function createCrc64(): Promise<Crc64Hasher> {
  const hasher = pool.pop() ?? (await createCRC64());
  hasher.init();
  let done = false;
  return {
    update(data) {
      if (done) throw new Error('CRC-64 hasher already digested');
      hasher.update(data);
    },
    digest() {
      if (done) throw new Error('CRC-64 hasher already digested');
      done = true;
      const value = BigInt('0x' + hasher.digest('hex'));
      if (pool.length < POOL_LIMIT) pool.push(hasher);
      return value;
    },
  };
}

export async function crc64(data: Uint8Array | string): Promise<bigint> {
  const hasher = await createCrc64();
  hasher.update(data);
  return hasher.digest();
}

// crc64Combine: the CRC of A||B from CRC(A), CRC(B) and len(B), without the bytes. This is zlib's crc32_combine (Mark
// Adler) specialised to 64 bits, as in the Go SDK's `oss/crc.go CRC64Combine` and oss2's `crc64_combine.py`: appending
// len2 zero bytes to A is a linear map over GF(2) on the (pre-xorout) register, represented as a 64x64 bit matrix;
// repeated squaring applies it in O(log len2) matrix products. The init/xorout all-ones terms cancel because appending
// zeros to the xorout-ed CRC is the same operator applied to the raw register, and XOR is linear. Used to build a
// multipart object's CRC from its parts' CRCs (docs/protocol.md#crc-64, CompleteMultipartUpload).

type Gf2Matrix = bigint[]; // 64 columns; column i is the image of bit i

function gf2Times(mat: Gf2Matrix, vec: bigint): bigint {
  let sum = 0n;
  for (let i = 0; vec !== 0n; i++, vec >>= 1n) {
    if (vec & 1n) sum ^= mat[i]!;
  }
  return sum;
}

function gf2Square(mat: Gf2Matrix): Gf2Matrix {
  return mat.map((column) => gf2Times(mat, column));
}

/** The operator "feed one zero bit" into the reflected CRC register. */
function oneZeroBitOperator(): Gf2Matrix {
  const odd: Gf2Matrix = [POLY_REFLECTED];
  for (let i = 1, row = 1n; i < 64; i++, row <<= 1n) odd.push(row);
  return odd;
}

// zeroBytes(k) is the operator "feed 2^k zero bytes", built by repeated squaring (1 bit -> 8 bits = 1 byte, then
// doubling) and kept. A combine then costs popcount(len2) matrix-vector products instead of ~2*log2(len2) squarings
// per call, which matters when CompleteMultipartUpload folds thousands of part CRCs under the store's lock. The
// table is grown on demand, not at load: building it all costs ~20 ms of every process's start-up.
const ZERO_BYTES: Gf2Matrix[] = [];

function zeroBytes(k: number): Gf2Matrix {
  if (ZERO_BYTES.length === 0) {
    let op = oneZeroBitOperator();
    for (let i = 0; i < 3; i++) op = gf2Square(op);
    ZERO_BYTES.push(op);
  }
  while (ZERO_BYTES.length <= k) ZERO_BYTES.push(gf2Square(ZERO_BYTES[ZERO_BYTES.length - 1]!));
  return ZERO_BYTES[k]!;
}

export function crc64Combine(crc1: bigint, crc2: bigint, len2: number): bigint {
  if (!Number.isSafeInteger(len2) || len2 < 0) throw new RangeError(`invalid length ${len2}`);
  let crc = crc1 & MASK64;
  for (let k = 0, remaining = len2; remaining > 0; k++, remaining = Math.floor(remaining / 2)) {
    if (remaining % 2 === 1) crc = gf2Times(zeroBytes(k), crc);
  }
  return (crc ^ crc2) & MASK64;
}
