// Object listing order: OSS sorts keys by their UTF-8 bytes (docs/protocol.md#listing). JavaScript's `<` compares
// UTF-16 code units, which disagrees for characters above U+FFFF versus U+E000..U+FFFF, so keys are compared as bytes.

interface Entry {
  key: string;
  bytes: Buffer;
}

export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The keys of one bucket in byte order; sorted lazily, so a burst of writes costs one sort at the next listing. */
export class KeyOrder {
  private readonly bytes = new Map<string, Buffer>();
  private sorted: Entry[] | undefined = [];

  add(key: string): void {
    if (this.bytes.has(key)) return;
    this.bytes.set(key, Buffer.from(key, 'utf8'));
    this.sorted = undefined;
  }

  delete(key: string): void {
    if (this.bytes.delete(key)) this.sorted = undefined;
  }

  /** Keys starting with `prefix` and strictly after `after`, ascending. */
  *range(prefix = '', after = ''): Generator<string> {
    const entries = this.entries();
    const prefixBytes = Buffer.from(prefix, 'utf8');
    const afterBytes = Buffer.from(after, 'utf8');
    const startAtPrefix = lowerBound(entries, (e) => Buffer.compare(e.bytes, prefixBytes) < 0);
    const startAfter = lowerBound(entries, (e) => Buffer.compare(e.bytes, afterBytes) <= 0);
    for (let i = Math.max(startAtPrefix, startAfter); i < entries.length; i++) {
      const entry = entries[i]!;
      if (!entry.key.startsWith(prefix)) return;
      yield entry.key;
    }
  }

  private entries(): Entry[] {
    this.sorted ??= [...this.bytes]
      .map(([key, bytes]) => ({ key, bytes }))
      .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    return this.sorted;
  }
}

/** Index of the first entry for which `before` is false (entries are partitioned: true..., false...). */
function lowerBound(entries: Entry[], before: (e: Entry) => boolean): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(entries[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
