import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc64, crc64Combine, createCrc64 } from './crc64.js';

// Check values of docs/protocol.md#crc-64.
const VECTORS: Array<[string, bigint]> = [
  ['', 0n],
  ['a', 3675645893302102789n],
  ['abc', 3231342946509354535n],
  ['123456789', 0x995dc9bbdf1939fan],
  ['This is a test of the emergency broadcast system.', 0x27db187fc15bbc72n],
  ['hello world', 5981764153023615706n],
];

describe('crc64', () => {
  it.each(VECTORS)('crc64(%j) is the published value', async (input, expected) => {
    expect(await crc64(input)).toBe(expected);
    expect(await crc64(Buffer.from(input))).toBe(expected);
  });

  it('prints the check value as OSS does (decimal)', async () => {
    expect((await crc64('123456789')).toString()).toBe('11051210869376104954');
  });

  it('is the same incrementally', async () => {
    const h = await createCrc64();
    h.update('1234');
    h.update(new TextEncoder().encode('56789'));
    expect(h.digest()).toBe(0x995dc9bbdf1939fan);
  });

  it('keeps concurrent hashers independent', async () => {
    const [a, b] = await Promise.all([createCrc64(), createCrc64()]);
    a.update('123');
    b.update('hello ');
    a.update('456789');
    b.update('world');
    expect([a.digest(), b.digest()]).toEqual([0x995dc9bbdf1939fan, 5981764153023615706n]);
  });

  it('refuses use after digest', async () => {
    const h = await createCrc64();
    h.digest();
    expect(() => h.update('x')).toThrow();
    expect(() => h.digest()).toThrow();
  });

  it('starts every hasher from scratch, including reused ones, and a stale handle cannot touch its successor', async () => {
    const first = await createCrc64();
    first.update('garbage that must not leak into the next body');
    first.digest();
    const second = await createCrc64(); // may reuse first's WebAssembly instance
    expect(() => first.update('x')).toThrow();
    second.update('123456789');
    expect(second.digest()).toBe(0x995dc9bbdf1939fan);
  });
});

describe('crc64Combine', () => {
  it('combines the check string split anywhere', async () => {
    const s = '123456789';
    for (let i = 0; i <= s.length; i++) {
      const a = await crc64(s.slice(0, i));
      const b = await crc64(s.slice(i));
      expect(crc64Combine(a, b, s.length - i)).toBe(0x995dc9bbdf1939fan);
    }
  });

  it('matches the CRC of the concatenation on random splits', async () => {
    for (let round = 0; round < 20; round++) {
      const data = randomBytes(1 + Math.floor(Math.random() * 5000));
      const cut = Math.floor(Math.random() * (data.length + 1));
      const whole = await crc64(data);
      const combined = crc64Combine(
        await crc64(data.subarray(0, cut)),
        await crc64(data.subarray(cut)),
        data.length - cut,
      );
      expect(combined).toBe(whole);
    }
  });

  it('folds many parts like a multipart object', async () => {
    const parts = Array.from({ length: 7 }, (_, i) => randomBytes(100 + i * 37));
    let acc = await crc64(parts[0]!);
    for (const p of parts.slice(1)) acc = crc64Combine(acc, await crc64(p), p.length);
    expect(acc).toBe(await crc64(Buffer.concat(parts)));
  });

  it('is associative for lengths beyond 32 bits (no int32 truncation of len2)', () => {
    // combine(x, y, n) = Z^n(x) ^ y for the "append n zero bytes" operator Z, so it must be associative for any
    // 64-bit values and lengths; a length halved with `>>` would break this above 2^31.
    const [a, b, c] = [0x0123456789abcdefn, 0xfedcba9876543210n, 0x0f1e2d3c4b5a6978n];
    const lb = 2 ** 32 + 3;
    const lc = 2 ** 31 + 7;
    expect(crc64Combine(crc64Combine(a, b, lb), c, lc)).toBe(crc64Combine(a, crc64Combine(b, c, lc), lb + lc));
  });

  it('returns crc1 for an empty second part and rejects bad lengths', () => {
    expect(crc64Combine(123n, 0n, 0)).toBe(123n);
    expect(() => crc64Combine(1n, 2n, -1)).toThrow(RangeError);
  });
});
