// Object listing order: OSS sorts keys by their UTF-8 bytes (docs/protocol.md#listing). UTF-8 byte order is Unicode
// code point order; JavaScript's `<` compares UTF-16 code units, which disagrees only where a surrogate (a character
// above U+FFFF) meets a unit of U+E000..U+FFFF, so compareKeys fixes up exactly that case.
import sortedBtree from 'sorted-btree';

type BTreeClass = typeof sortedBtree.default;
// sorted-btree is CommonJS with the class as its `default` export: node's ESM loader hands out the module object,
// bundlers and vitest the class itself
const loaded: unknown = sortedBtree;
const BTree = (typeof loaded === 'function' ? loaded : (loaded as { default: BTreeClass }).default) as BTreeClass;

/** A code unit in code point order: surrogates sort above every other unit of the BMP. */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? codePointRank(x) - codePointRank(y) : x - y;
  }
  return a.length - b.length;
}

/**
 * The keys of one bucket in byte order, in a B+ tree: adding or removing a key costs O(log n), and a range starts
 * with one O(log n) descent, then walks only the keys it yields.
 */
export class KeyOrder {
  private readonly tree = new BTree<string, undefined>(undefined, compareKeys);

  get size(): number {
    return this.tree.size;
  }

  add(key: string): void {
    this.tree.set(key, undefined, false);
  }

  delete(key: string): void {
    this.tree.delete(key);
  }

  /** Keys starting with `prefix` and strictly after `after`, ascending. */
  *range(prefix = '', after = ''): Generator<string> {
    const fromAfter = compareKeys(after, prefix) >= 0;
    for (const key of this.tree.keys(fromAfter ? after : prefix)) {
      if (fromAfter && key === after) continue;
      if (!key.startsWith(prefix)) return;
      yield key;
    }
  }
}
