// The listing entries written straight into a string must be byte for byte what the generic writer (buildXml) makes
// of the same elements, and must survive real clients: ali-oss reading the raw documents of a listening mock, and the
// project's OssClient listing versions.
import OSS from 'ali-oss';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssClient } from '../../client/client.js';
import { quoteEtag } from '../../protocol/etag.js';
import { buildXml, escapeXmlText, xmlRaw, xmlSequence, XML_DECLARATION, type XmlValue } from '../../protocol/xml.js';
import { startMockOss, type MockOssHandle } from '../index.js';
import type { ObjectMeta, ObjectVersion, RestoreState } from '../storage/store.js';
import { commonPrefixXml, contentsXml, versionXml, type EntryContext } from './listing-xml.js';
import { OWNER } from './owner.js';
import { keyEncoding } from './params.js';
import { restoreHeader } from './restore-state.js';

/** xmlTime as it was before it kept recent results: the reference for the bytes */
const isoSecond = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();

// The elements of one Contents / Version / DeleteMarker as objects for the generic writer, in the order the handlers
// built them before they wrote strings.
function genericContents(meta: ObjectMeta, c: EntryContext, withOwner: boolean): Record<string, XmlValue | undefined> {
  return {
    Key: c.encode(meta.key),
    LastModified: isoSecond(meta.lastModified),
    ETag: quoteEtag(meta.etag),
    Type: meta.objectType,
    Size: meta.size,
    StorageClass: meta.storageClass,
    RestoreInfo: restoreHeader(meta, c.now),
    Owner: withOwner ? { ...OWNER } : undefined,
  };
}

function genericVersion(v: ObjectVersion, c: EntryContext): [string, XmlValue] {
  if (v.kind === 'marker') {
    const m = v.marker;
    const body = { Key: c.encode(m.key), VersionId: m.versionId, IsLatest: v.isLatest };
    return ['DeleteMarker', { ...body, LastModified: isoSecond(m.lastModified), Owner: { ...OWNER } }];
  }
  const meta = v.meta;
  // a Version is a Contents (with its Owner) whose Key is followed by VersionId and IsLatest; spreading the Contents
  // after them keeps Key first and the rest in Contents' order
  const version = { Key: c.encode(meta.key), VersionId: meta.versionId ?? 'null', IsLatest: v.isLatest };
  return ['Version', { ...version, ...genericContents(meta, c, true) }];
}

const HOSTILE_KEYS = [
  'plain/key.txt',
  `amp&lt<gt>"quote'apos`,
  '&amp; already escaped &#x41;',
  '中文/ключ/🙂 é',
  'ctl\u0001\u0008\u000b\u000c\u000e\u001f end',
  'cr\r lf\n tab\t',
  ']]> <![CDATA[',
  ' spaces  ',
  '\uffff\ud83d\ude00',
];
const NOW = new Date('2026-11-30T10:00:00.500Z');
const restoreOf = (readyInMs: number, expiresInMs: number): RestoreState => ({
  requestedAt: new Date(NOW.getTime() - 1000),
  readyAt: new Date(NOW.getTime() + readyInMs),
  expiresAt: new Date(NOW.getTime() + expiresInMs),
  days: 1,
});
// every storage class, and the archived ones frozen, restoring, restored and expired again
const CLASSES: Array<Pick<ObjectMeta, 'storageClass' | 'restore'>> = [
  { storageClass: 'Standard' },
  { storageClass: 'IA' },
  { storageClass: 'Archive' },
  { storageClass: 'Archive', restore: restoreOf(60_000, 86_400_000) },
  { storageClass: 'ColdArchive', restore: restoreOf(-60_000, 86_400_000) },
  { storageClass: 'DeepColdArchive', restore: restoreOf(-120_000, -60_000) },
];
const TYPES = ['Normal', 'Multipart', 'Appendable', 'Symlink'] as const;

function metas(): ObjectMeta[] {
  return HOSTILE_KEYS.flatMap((key, i) =>
    CLASSES.map((cls, j) => ({
      bucket: 'b',
      key,
      size: [0, 1, 2 ** 40 + 3][(i + j) % 3]!,
      etag: j % 2 === 0 ? '0123456789ABCDEF0123456789ABCDEF' : 'FEDCBA9876543210FEDCBA9876543210-3',
      crc64: 0n,
      lastModified: new Date(Date.UTC(2026, 0, 1 + i, j, i, j, 999)),
      objectType: TYPES[(i + j) % TYPES.length]!,
      contentType: 'application/octet-stream',
      userMeta: {},
      ...cls,
      ...(j % 3 === 0 ? {} : { versionId: j % 3 === 1 ? 'null' : `CAEQ${i}${j}` }),
    })),
  );
}

const ENCODINGS = [
  { name: 'no encoding', enc: keyEncoding({}) },
  { name: 'encoding-type=url', enc: keyEncoding({ 'encoding-type': 'url' }) },
];

describe.each(ENCODINGS)('listing entries written as strings, $name', ({ enc }) => {
  const c: EntryContext = { encode: enc.encode, now: NOW };

  it('Contents: the generic writer bytes, with and without Owner, for every key, class, restore state and type', () => {
    for (const meta of metas()) {
      for (const withOwner of [true, false]) {
        expect(`${XML_DECLARATION}\n${contentsXml(meta, c, withOwner)}`).toBe(
          buildXml('Contents', genericContents(meta, c, withOwner)),
        );
      }
    }
  });

  it('Version and DeleteMarker: the generic writer bytes, latest or not, null and other version IDs', () => {
    const all = metas();
    const versions: ObjectVersion[] = all.flatMap((meta, i) => [
      { kind: 'object', meta, isLatest: i % 2 === 0 },
      {
        kind: 'marker',
        marker: { bucket: 'b', key: meta.key, versionId: `CAEQm${i}`, lastModified: meta.lastModified },
        isLatest: i % 3 === 0,
      },
    ]);
    for (const v of versions) {
      const [tag, value] = genericVersion(v, c);
      expect(`${XML_DECLARATION}\n${versionXml(v, c)}`).toBe(buildXml(tag, value));
    }
    // a whole ListVersionsResult: raw entries in a sequence against the generic sequence
    const head: Array<[string, XmlValue]> = [
      ['Name', 'b'],
      ['IsTruncated', false],
    ];
    const prefixes = ['p/', 'amp&/', '中/'];
    expect(
      buildXml(
        'ListVersionsResult',
        xmlSequence([
          ...head,
          ['Version', xmlRaw(versions.map((v) => versionXml(v, c)).join(''))],
          ['CommonPrefixes', xmlRaw(prefixes.map((p) => commonPrefixXml(p, c)).join(''))],
        ]),
      ),
    ).toBe(
      buildXml(
        'ListVersionsResult',
        xmlSequence([
          ...head,
          ...versions.map((v) => genericVersion(v, c)),
          ...prefixes.map((p): [string, XmlValue] => ['CommonPrefixes', { Prefix: enc.encode(p) }]),
        ]),
      ),
    );
  });

  it('a whole ListBucketResult page: raw Contents and CommonPrefixes against arrays of objects, empty ones too', () => {
    const head = { Name: 'b', Prefix: enc.encode('a&b/'), MaxKeys: 100, IsTruncated: true };
    for (const [items, prefixes] of [
      [metas(), HOSTILE_KEYS.map((k) => `${k}/`)],
      [[], []],
    ] as const) {
      expect(
        buildXml('ListBucketResult', {
          ...head,
          Contents: xmlRaw(items.map((m) => contentsXml(m, c, false)).join('')),
          CommonPrefixes: xmlRaw(prefixes.map((p) => commonPrefixXml(p, c)).join('')),
        }),
      ).toBe(
        buildXml('ListBucketResult', {
          ...head,
          Contents: items.map((m) => genericContents(m, c, false)),
          CommonPrefixes: prefixes.map((p) => ({ Prefix: enc.encode(p) })),
        }),
      );
    }
  });
});

describe('escaping of listing entries (independent of the generic writer)', () => {
  const c: EntryContext = { encode: (s) => s, now: NOW };
  const meta = metas().find((m) => m.key === `amp&lt<gt>"quote'apos`)!;

  it('escapes & < > and controls, keeps quotes literal', () => {
    expect(contentsXml(meta, c, false)).toContain(`<Key>amp&amp;lt&lt;gt&gt;"quote'apos</Key>`);
    expect(contentsXml({ ...meta, key: 'ctl\u0001\u001f\r\t\n' }, c, false)).toContain(
      '<Key>ctl&#x1;&#x1f;&#13;\t\n</Key>',
    );
    expect(commonPrefixXml('a&b<c>/', c)).toBe('<CommonPrefixes><Prefix>a&amp;b&lt;c&gt;/</Prefix></CommonPrefixes>');
  });

  it('escapeXmlText: every character below U+0080 and some above as the replace-only form escaped them', () => {
    const named: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
    // eslint-disable-next-line no-control-regex
    const controls = /[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]/g;
    const reference = (s: string) => s.replace(controls, (ch) => named[ch] ?? `&#x${ch.charCodeAt(0).toString(16)};`);
    const chars = [...Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(i)), 'é', '中', '🙂', '\ufffe'];
    for (const ch of chars) {
      for (const s of [ch, `x${ch}`, `${ch}y`, `a${ch}b${ch}`]) expect(escapeXmlText(s)).toBe(reference(s));
    }
    // the same string twice in a row: a global regex's lastIndex must not leak into the next call
    expect(escapeXmlText('a&b')).toBe('a&amp;b');
    expect(escapeXmlText('a&b')).toBe('a&amp;b');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Real clients against a listening mock

let mock: MockOssHandle;
beforeAll(async () => {
  mock = await startMockOss();
});
afterAll(() => mock.close());

const BUCKET = 'listing-xml';
// every key ali-oss can put; control characters go under ctl/, listed either rolled up or URL-encoded
const CLIENT_KEYS = [
  `amp&lt<gt>"quote'apos`,
  '&amp; already escaped',
  '中文/ключ/🙂 é',
  'ctl/\u0001\u001f\r\t end',
  'dir/a',
  'dir/b',
  'plain',
];
const byteOrder = (keys: readonly string[]) => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
const md5Upper = (s: string) => createHash('md5').update(s, 'utf8').digest('hex').toUpperCase();
const rawBody = (result: { res: unknown }) => Buffer.from((result.res as { data: Buffer }).data).toString('utf8');

describe('ali-oss listing a bucket of hostile keys through a listening mock', () => {
  let client: OSS;
  beforeAll(async () => {
    client = new OSS({
      endpoint: mock.endpoint,
      region: 'oss-cn-hangzhou',
      accessKeyId: mock.accessKeyId,
      accessKeySecret: mock.accessKeySecret,
      bucket: BUCKET,
    } as OSS.Options);
    await client.putBucket(BUCKET);
    for (const key of CLIENT_KEYS) {
      const archived = key === 'plain';
      await client.put(key, Buffer.from(key, 'utf8'), {
        headers: { 'x-oss-storage-class': archived ? 'Archive' : key.startsWith('dir/') ? 'IA' : 'Standard' },
      });
    }
    await client.restore('plain'); // restoring: a RestoreInfo with literal quotes
  });

  const contentsOf = (
    keys: string[],
    lastModified: Map<string, string>,
    encode: (s: string) => string,
    owner: boolean,
  ) =>
    keys.map((key) => ({
      Key: encode(key),
      LastModified: lastModified.get(key)!,
      ETag: quoteEtag(md5Upper(key)),
      Type: 'Normal',
      Size: Buffer.byteLength(key),
      StorageClass: key === 'plain' ? 'Archive' : key.startsWith('dir/') ? 'IA' : 'Standard',
      RestoreInfo: key === 'plain' ? 'ongoing-request="true"' : undefined,
      Owner: owner ? { ...OWNER } : undefined,
    }));

  it('v1 with a delimiter: the keys back as put, and the document the generic writer makes of them', async () => {
    const listed = await client.list({ delimiter: '/', 'max-keys': 100 }, {});
    const top = byteOrder(CLIENT_KEYS.filter((k) => !k.includes('/')));
    expect(listed.objects.map((o) => o.name)).toEqual(top);
    expect(listed.prefixes).toEqual(['ctl/', 'dir/', '中文/']);
    // ali-oss parses RestoreInfo (its typings do not have it)
    const plain = listed.objects.find((o) => o.name === 'plain') as unknown as { restoreInfo?: unknown };
    expect(plain.restoreInfo).toMatchObject({ ongoingRequest: true });
    const times = new Map(listed.objects.map((o) => [o.name, o.lastModified]));
    expect(rawBody(listed)).toBe(
      buildXml('ListBucketResult', {
        Name: BUCKET,
        Prefix: '',
        Marker: '',
        MaxKeys: 100,
        Delimiter: '/',
        IsTruncated: false,
        Contents: contentsOf(top, times, (s) => s, true),
        CommonPrefixes: ['ctl/', 'dir/', '中文/'].map((Prefix) => ({ Prefix })),
      }),
    );
  });

  it('v2 with encoding-type=url and fetch-owner, paged by continuation token: every key, the generic bytes', async () => {
    const names: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const listed = await client.listV2(
        {
          'encoding-type': 'url',
          'fetch-owner': true,
          'max-keys': '3',
          ...(token === undefined ? {} : { 'continuation-token': token }),
        },
        {},
      );
      const pageKeys = listed.objects.map((o) => decodeURIComponent(o.name));
      names.push(...pageKeys);
      const times = new Map(listed.objects.map((o) => [decodeURIComponent(o.name), o.lastModified]));
      expect(rawBody(listed)).toBe(
        buildXml('ListBucketResult', {
          Name: BUCKET,
          Prefix: '',
          ContinuationToken: token,
          MaxKeys: 3,
          Delimiter: '',
          EncodingType: 'url',
          IsTruncated: listed.isTruncated,
          NextContinuationToken: listed.nextContinuationToken ?? undefined,
          KeyCount: pageKeys.length,
          Contents: contentsOf(pageKeys, times, keyEncoding({ 'encoding-type': 'url' }).encode, true),
          CommonPrefixes: [],
        }),
      );
      token = listed.nextContinuationToken ?? undefined;
      if (token === undefined) break;
    }
    expect(names).toEqual(byteOrder(CLIENT_KEYS));
  });
});

describe('OssClient listing versions of hostile keys through a listening mock', () => {
  it('versions and delete markers come back with their keys, latest flags and version IDs', async () => {
    const client = new OssClient({
      endpoint: mock.endpoint,
      accessKeyId: mock.accessKeyId,
      accessKeySecret: mock.accessKeySecret,
    });
    const bucket = 'listing-xml-versions';
    await client.putBucket({ bucket });
    await client.putBucketVersioning({ bucket, status: 'Enabled' });
    const keys = [`amp&lt<gt>"quote'apos`, 'ctl/\u0001\r end', '中文 🙂'];
    const puts: Array<{ versionId?: string }> = [];
    for (const key of keys) {
      puts.push(await client.putObject({ bucket, key, body: 'one' }));
      puts.push(await client.putObject({ bucket, key, body: 'two!' }));
    }
    const removed = await client.deleteObject({ bucket, key: keys[0]! });
    const listed = await client.listObjectVersions({ bucket });
    expect(listed.deleteMarkers).toMatchObject([{ key: keys[0], versionId: removed.versionId, isLatest: true }]);
    expect(listed.versions.map((v) => [v.key, v.versionId, v.isLatest, v.size])).toEqual(
      byteOrder(keys).flatMap((key) => {
        const i = keys.indexOf(key);
        return [
          [key, puts[2 * i + 1]!.versionId, i !== 0, 4],
          [key, puts[2 * i]!.versionId, false, 3],
        ];
      }),
    );
  });
});
