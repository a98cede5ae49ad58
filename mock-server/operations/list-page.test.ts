import { describe, expect, it } from 'vitest';
import { compareKeys } from '../storage/key-order.js';
import { listPage, type PageRequest } from './list-page.js';

const KEYS = ['a.txt', 'dir/a', 'dir/b', 'dir/sub/c', 'dir2/x', 'e', 'f/g'].sort(compareKeys);

function page(o: Partial<PageRequest<string>>) {
  const marker = o.marker ?? '';
  const items = KEYS.filter((k) => compareKeys(k, marker) > 0);
  const p = listPage({ items, keyOf: (k) => k, prefix: '', delimiter: '', max: 100, marker, ...o });
  return { ...p, flat: p.entries.map((e) => (e.kind === 'item' ? e.key : `CP:${e.prefix}`)) };
}

describe('listPage', () => {
  it('rolls keys up into common prefixes that count toward max', () => {
    const p = page({ delimiter: '/', max: 3 });
    expect(p.flat).toEqual(['a.txt', 'CP:dir/', 'CP:dir2/']);
    expect(p.truncated).toBe(true);
    expect(p.last).toBe('dir2/');
  });

  it('continues after a common prefix marker without repeating it', () => {
    const p = page({ delimiter: '/', max: 3, marker: 'dir2/' });
    expect(p.flat).toEqual(['e', 'CP:f/']);
    expect(p.truncated).toBe(false);
  });

  it('applies the prefix and rolls up below it', () => {
    const p = page({ prefix: 'dir/', delimiter: '/' });
    expect(p.flat).toEqual(['dir/a', 'dir/b', 'CP:dir/sub/']);
  });

  it('is not truncated when the page ends exactly at the last entry', () => {
    const p = page({ prefix: 'dir/', max: 3 });
    expect(p.flat).toEqual(['dir/a', 'dir/b', 'dir/sub/c']);
    expect(p.truncated).toBe(false);
  });

  it('pages through everything exactly once', () => {
    const seen: string[] = [];
    let marker = '';
    for (let i = 0; i < 20; i++) {
      const p = page({ delimiter: '/', max: 2, marker });
      seen.push(...p.flat);
      if (!p.truncated) break;
      marker = p.last!;
    }
    expect(seen).toEqual(['a.txt', 'CP:dir/', 'CP:dir2/', 'e', 'CP:f/']);
  });

  it('reports no last entry for an empty page', () => {
    expect(page({ prefix: 'zzz' })).toMatchObject({ entries: [], truncated: false, last: undefined });
  });
});
