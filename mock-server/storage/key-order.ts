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

  /**
   * As range(), but where `rollUp(key)` names a prefix of `key` (a listing's common prefix), only that first key of
   * the prefix is yielded: the walk goes on after the prefix's last key with one more descent of the tree, instead
   * of visiting every key under it.
   */
  *rangeRolledUp(prefix: string, after: string, rollUp: (key: string) => string | undefined): Generator<string> {
    let from = compareKeys(after, prefix) >= 0 ? after : prefix;
    let skipFrom = from === after;
    for (;;) {
      let next: string | undefined;
      for (const key of this.tree.keys(from)) {
        if (skipFrom && key === from) continue;
        if (!key.startsWith(prefix)) return;
        yield key;
        const rolled = rollUp(key);
        if (rolled === undefined) continue;
        next = pastPrefix(rolled);
        if (next === undefined) return;
        break;
      }
      if (next === undefined) return;
      from = next;
      skipFrom = false;
    }
  }
}

/**
 * The least string above every string that starts with `p`, in code point order (= UTF-8 byte order): `p` with its
 * last code point raised by one (a last U+10FFFF dropped first); undefined when `p` is all U+10FFFF.
 */
export function pastPrefix(p: string): string | undefined {
  const points = Array.from(p);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return points.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}
