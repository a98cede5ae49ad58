// The key index must list exactly what sorting every key by its UTF-8 bytes and filtering would, after any mix of
// adds and deletes: checked against that reference on random keys (surrogate pairs and U+E000..U+FFFF included,
// where UTF-16 order and byte order disagree).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, KeyOrder, pastPrefix } from './key-order.js';

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

const char = fc.oneof(
  fc.constantFrom('a', 'b', '/', '-', 'z'),
  fc.integer({ min: 0xe000, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
  fc.integer({ min: 0x80, max: 0xd7ff }).map((c) => String.fromCharCode(c)),
);
const key = fc.array(char, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));

describe('KeyOrder', () => {
  it('compareKeys orders as UTF-8 bytes do', () => {
    fc.assert(fc.property(key, key, (a, b) => Math.sign(compareKeys(a, b)) === Math.sign(byBytes(a, b))));
  });

  it('range(prefix, after) lists what sorting by bytes and filtering would, after adds and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), key), { maxLength: 60 }),
        fc.oneof(fc.constant(''), key),
        fc.oneof(fc.constant(''), key),
        (ops, prefix, after) => {
          const order = new KeyOrder();
          const present = new Set<string>();
          for (const [add, k] of ops) {
            if (add) {
              order.add(k);
              present.add(k);
            } else {
              order.delete(k);
              present.delete(k);
            }
          }
          const expected = [...present].filter((k) => k.startsWith(prefix) && byBytes(k, after) > 0).sort(byBytes);
          expect([...order.range(prefix, after)]).toEqual(expected);
          expect(order.size).toBe(present.size);
        },
      ),
    );
  });

  it('rangeRolledUp(prefix, after, rollUp) yields the first key of each rolled-up prefix and every other key', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { maxLength: 60 }),
        fc.oneof(fc.constant(''), key),
        fc.oneof(fc.constant(''), key),
        fc.constantFrom('/', 'a', '\u{10ffff}', '\uffff'),
        (keys, prefix, after, delimiter) => {
          const order = new KeyOrder();
          for (const k of keys) order.add(k);
          const rollUp = (k: string): string | undefined => {
            const at = k.indexOf(delimiter, prefix.length);
            return at < 0 ? undefined : k.slice(0, at + delimiter.length);
          };
          const expected: string[] = [];
          const seen = new Set<string>();
          for (const k of keys.filter((x) => x.startsWith(prefix) && byBytes(x, after) > 0).sort(byBytes)) {
            const rolled = rollUp(k);
            if (rolled !== undefined && seen.has(rolled)) continue;
            if (rolled !== undefined) seen.add(rolled);
            expected.push(k);
          }
          expect([...order.rangeRolledUp(prefix, after, rollUp)]).toEqual(expected);
        },
      ),
    );
  });

  it('pastPrefix is above every extension of the prefix and at or below every greater string', () => {
    fc.assert(
      fc.property(key, key, (p, other) => {
        const past = pastPrefix(p);
        if (past === undefined) return;
        expect(byBytes(p + other, past)).toBeLessThan(0);
        if (!other.startsWith(p) && byBytes(other, p) > 0) expect(byBytes(other, past)).toBeGreaterThanOrEqual(0);
      }),
    );
    expect(pastPrefix('a/')).toBe('a0');
    expect(pastPrefix('a\u{10ffff}')).toBe('b');
    expect(pastPrefix('\ud7ff')).toBe('\ue000');
    expect(pastPrefix('\u{10ffff}')).toBeUndefined();
  });
});
