// ListObjectVersions with a delimiter reads each rolled-up prefix once: the walk over the key index jumps past the
// prefix's other keys (docs/protocol.md#versioning: a common prefix counts as one entry).
import { describe, expect, it } from 'vitest';
import { emptyBucket, setVersions, type BucketState } from './state.js';
import { versionPage } from './versions.js';

/** A versioned bucket whose `versions.get` counts the keys a listing reads. */
function bucketWithMarkers(keys: string[]): { bucket: BucketState<never>; reads: () => number } {
  const bucket = emptyBucket<never>({
    name: 'b',
    location: 'oss-cn-hangzhou',
    creationDate: new Date(0),
    storageClass: 'Standard',
    acl: 'private',
    dataRedundancyType: 'LRS',
    versioning: 'Enabled',
  });
  keys.forEach((key, i) => {
    setVersions(bucket, key, [
      { versionId: `CAEQ${String(i).padStart(12, '0')}`, marker: { lastModified: new Date(0) } },
    ]);
  });
  let reads = 0;
  const get = bucket.versions.get.bind(bucket.versions);
  bucket.versions.get = (key: string) => {
    reads++;
    return get(key);
  };
  return { bucket, reads: () => reads };
}

const names = (page: ReturnType<typeof versionPage>): string[] =>
  page.entries.map((e) =>
    e.kind === 'prefix' ? e.prefix : `${e.version.kind === 'marker' ? e.version.marker.key : e.version.meta.key}`,
  );

describe('versionPage with a delimiter', () => {
  const many = Array.from({ length: 5000 }, (_, i) => `dir/${String(i).padStart(5, '0')}`);

  it('reads one key of a rolled-up prefix, not all 5,000 under it', () => {
    const { bucket, reads } = bucketWithMarkers(['a', ...many, 'dir2/x', 'z']);
    const page = versionPage(bucket, { delimiter: '/', maxKeys: 100 });
    expect(names(page)).toEqual(['a', 'dir/', 'dir2/', 'z']);
    expect(page.truncated).toBe(false);
    expect(reads()).toBeLessThanOrEqual(4);
  });

  it('pages across a prefix given as key-marker without reading its keys', () => {
    const { bucket, reads } = bucketWithMarkers(['a', ...many, 'z']);
    const first = versionPage(bucket, { delimiter: '/', maxKeys: 2 });
    expect(names(first)).toEqual(['a', 'dir/']);
    expect(first).toMatchObject({ truncated: true, nextKeyMarker: 'dir/' });
    const second = versionPage(bucket, { delimiter: '/', maxKeys: 2, keyMarker: 'dir/' });
    expect(names(second)).toEqual(['z']);
    expect(reads()).toBeLessThanOrEqual(6);
  });

  it('under a prefix, rolls up at the delimiter after the prefix', () => {
    const { bucket } = bucketWithMarkers([...many.slice(0, 10), 'dir/sub/1', 'dir/sub/2', 'dir/zz']);
    const page = versionPage(bucket, { prefix: 'dir/', delimiter: '/', maxKeys: 100 });
    expect(names(page)).toEqual([...many.slice(0, 10), 'dir/sub/', 'dir/zz']);
  });
});
