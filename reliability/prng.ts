// A small seeded PRNG (mulberry32) so every fuzz, crash and soak run is reproducible from the seed it prints.

export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /** `n` pseudo-random bytes (not all one value, so a misplaced chunk changes the digest). */
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) out.writeUInt32LE(Math.floor(this.next() * 4294967296), i);
    for (; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
}

/** The seed of a run: `OSS_MOCK_SEED` when set (to replay a failure), else `fallback`. */
export function seedFrom(env: NodeJS.ProcessEnv, fallback: number): number {
  const raw = env.OSS_MOCK_SEED;
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : fallback;
}
