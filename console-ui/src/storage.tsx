// The storage browser: buckets; a bucket's objects under a prefix, rolled up by a delimiter, a page at a time; one
// object's metadata, ETag, CRC-64, tags and download; in a versioned bucket the version ID of each object and the
// versions (and delete markers) of the chosen one, each viewable and downloadable; open multipart uploads with their
// parts; finished upload IDs.
// Tables are defined by their columns, so a new field (a version ID) is one more entry in a list. A listing reloads
// when the stream reports a change to its bucket, never on a timer.

import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { MockEvent } from '../../mock-server/control/types.js';
import type {
  BucketRow,
  FinishedUploadRow,
  ObjectPage,
  ObjectRow,
  PartRow,
  UploadRow,
  VersionRow,
} from '../../mock-server/console/wire.js';
import { api, withQuery } from './api.js';
import { bytes } from './format.js';
import type { LiveState } from './stream.js';

interface Column<T> {
  title: string;
  cell: (row: T) => ComponentChildren;
  className?: string;
}

function Table<T>({
  id,
  columns,
  rows,
  rowKey,
}: {
  id?: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (r: T) => string;
}) {
  return (
    <table id={id}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.title}>{c.title}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={rowKey(r)}>
            {columns.map((c) => (
              <td key={c.title} class={c.className}>
                {c.cell(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const localTime = (iso: string): string => new Date(iso).toLocaleString();

/** Names for the object fields the store keeps; a field without one shows under its own name. */
const FIELD_LABELS: Record<string, string> = {
  versionId: 'Version ID',
  objectType: 'Type',
  storageClass: 'Storage class',
  acl: 'ACL',
  contentMd5: 'Content-MD5',
  cacheControl: 'Cache-Control',
  contentDisposition: 'Content-Disposition',
  contentEncoding: 'Content-Encoding',
  contentLanguage: 'Content-Language',
  expires: 'Expires',
};

/** Operations that change what a bucket holds (or which buckets exist). */
const WRITES = new Set([
  'PutObject',
  'AppendObject',
  'CopyObject',
  'DeleteObject',
  'DeleteMultipleObjects',
  'InitiateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'PutBucket',
  'DeleteBucket',
  'PutBucketVersioning',
  'PutSymlink',
]);

/** seq of the newest finished write to `bucket` (any bucket when undefined), or of the last reset */
function lastWrite(events: MockEvent[], bucket?: string): number {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type !== 'request.end' || e.operation === undefined || !WRITES.has(e.operation)) continue;
    if (bucket === undefined || e.bucket === bucket) return e.seq;
  }
  return 0;
}

function useJson<T>(url: string | undefined, reload: unknown): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string; url?: string }>({});
  useEffect(() => {
    if (url === undefined) {
      setState({});
      return;
    }
    let live = true;
    api<T>('GET', url).then(
      (data) => live && setState({ data, url }),
      (err: unknown) => live && setState({ error: err instanceof Error ? err.message : String(err), url }),
    );
    return () => {
      live = false;
    };
  }, [url, reload]);
  // the previous URL's data stays shown until the new one arrives (no flicker while paging)
  return state;
}

function ObjectDetail({
  bucket,
  objectKey,
  versionId,
  reload,
}: {
  bucket: string;
  objectKey: string;
  /** a version other than the current one */
  versionId?: string;
  reload: number;
}) {
  const { data: o, error } = useJson<ObjectRow>(
    withQuery('/_mock/ui/api/object', { bucket, key: objectKey, versionId }),
    reload,
  );
  if (error !== undefined) return <p class="error">{error}</p>;
  if (o === undefined || o.key !== objectKey || (versionId !== undefined && o.versionId !== versionId)) {
    return <p class="muted">Loading…</p>;
  }
  // shown above
  const shown = new Set(['bucket', 'key', 'size', 'etag', 'crc64', 'contentType', 'lastModified', 'userMeta', 'tags']);
  const rows: Array<[string, ComponentChildren]> = [
    ['Key', <code>{o.key}</code>],
    ['Size', `${bytes(o.size)} (${o.size} bytes)`],
    ['ETag', <code class="etag">{o.etag}</code>],
    ['CRC-64', <code class="crc64">{o.crc64}</code>],
    ['Content-Type', o.contentType],
    ['Last modified', localTime(o.lastModified)],
  ];
  for (const [k, v] of Object.entries(o.userMeta)) rows.push([`x-oss-meta-${k}`, v]);
  rows.push([
    'Tags',
    o.tags.length === 0 ? (
      <span class="muted">none</span>
    ) : (
      o.tags.map((t) => <span class="tag">{`${t.key}=${t.value}`}</span>)
    ),
  ]);
  for (const [k, v] of Object.entries(o)) {
    if (shown.has(k) || v === undefined) continue;
    rows.push([FIELD_LABELS[k] ?? k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  }
  return (
    <div class="object-detail" id="object-detail">
      <h3>
        {o.key}
        {versionId !== undefined && <small class="muted"> version {versionId}</small>}
      </h3>
      <table class="meta">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th>{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <a class="button" href={withQuery('/_mock/ui/api/download', { bucket, key: o.key, versionId })} download>
        Download
      </a>
    </div>
  );
}

/** The versions of one key, newest first; choosing one shows its metadata above. */
function Versions({
  bucket,
  objectKey,
  chosen,
  choose,
  reload,
}: {
  bucket: string;
  objectKey: string;
  chosen: string | undefined;
  choose: (versionId: string | undefined) => void;
  reload: number;
}) {
  const { data, error } = useJson<{ versions: VersionRow[]; truncated: boolean }>(
    withQuery('/_mock/ui/api/versions', { bucket, key: objectKey }),
    reload,
  );
  if (error !== undefined) return <p class="error">{error}</p>;
  const versions = data?.versions ?? [];
  const columns: Column<VersionRow>[] = [
    {
      title: 'Version ID',
      className: 'version-id',
      cell: (v) =>
        v.deleteMarker ? (
          <code>{v.versionId}</code>
        ) : (
          <a
            href="#storage"
            class={v.versionId === (chosen ?? versions.find((x) => x.isLatest)?.versionId) ? 'selected' : undefined}
            onClick={() => choose(v.isLatest ? undefined : v.versionId)}
          >
            <code>{v.versionId}</code>
          </a>
        ),
    },
    { title: 'Current', cell: (v) => (v.isLatest ? 'yes' : ''), className: 'latest' },
    {
      title: 'Kind',
      cell: (v) => (v.deleteMarker ? <span class="badge aborted">delete marker</span> : 'object'),
      className: 'kind',
    },
    { title: 'Size', cell: (v) => (v.size === undefined ? '' : bytes(v.size)), className: 'num' },
    { title: 'Last modified', cell: (v) => localTime(v.lastModified) },
    { title: 'ETag', cell: (v) => (v.etag === undefined ? '' : <code>{v.etag}</code>) },
  ];
  return (
    <div id="versions">
      <h3>
        Versions <span class="count">{versions.length}</span>
        {data?.truncated === true && <small class="muted"> (the newest {versions.length})</small>}
      </h3>
      <Table columns={columns} rows={versions} rowKey={(v) => v.versionId} />
    </div>
  );
}

const PART_COLUMNS: Column<PartRow>[] = [
  { title: 'Part', cell: (p) => p.partNumber, className: 'num' },
  { title: 'Size', cell: (p) => bytes(p.size), className: 'num' },
  { title: 'ETag', cell: (p) => <code>{p.etag}</code> },
  { title: 'CRC-64', cell: (p) => <code>{p.crc64}</code> },
  { title: 'Stored', cell: (p) => localTime(p.lastModified) },
];

function Uploads({ bucket, reload }: { bucket: string; reload: number }) {
  const { data, error } = useJson<{ uploads: UploadRow[]; truncated: boolean }>(
    withQuery('/_mock/ui/api/uploads', { bucket }),
    reload,
  );
  if (error !== undefined) return <p class="error">{error}</p>;
  const uploads = data?.uploads ?? [];
  return (
    <div id="uploads">
      <h3>
        Multipart uploads in progress <span class="count">{uploads.length}</span>
      </h3>
      {uploads.length === 0 && <p class="empty">None.</p>}
      {uploads.map((u) => (
        <details key={u.uploadId} class="upload" data-upload-id={u.uploadId}>
          <summary>
            <code>{u.key}</code> · upload <code title={u.uploadId}>{u.uploadId}</code> · {u.parts.length} parts,{' '}
            {bytes(u.parts.reduce((n, p) => n + p.size, 0))} · since {localTime(u.initiated)}
          </summary>
          <Table columns={PART_COLUMNS} rows={u.parts} rowKey={(p) => String(p.partNumber)} />
        </details>
      ))}
    </div>
  );
}

const FINISHED_COLUMNS: Column<FinishedUploadRow>[] = [
  { title: 'Upload ID', cell: (u) => <code>{u.uploadId}</code> },
  { title: 'Bucket', cell: (u) => u.bucket },
  { title: 'Key', cell: (u) => u.key, className: 'key' },
  { title: 'Status', cell: (u) => <span class={`badge ${u.status}`}>{u.status}</span> },
];

function FinishedUploads({ reload }: { reload: number }) {
  const { data } = useJson<{ uploads: FinishedUploadRow[] }>('/_mock/ui/api/finished-uploads', reload);
  const uploads = data?.uploads ?? [];
  return (
    <div id="finished-uploads">
      <h3>
        Finished upload IDs <span class="count">{uploads.length}</span>
      </h3>
      {uploads.length === 0 ? (
        <p class="empty">None.</p>
      ) : (
        <Table columns={FINISHED_COLUMNS} rows={uploads} rowKey={(u) => u.uploadId} />
      )}
    </div>
  );
}

export function StoragePanel({ live }: { live: LiveState }) {
  const [bucket, setBucket] = useState<string>();
  const [prefix, setPrefix] = useState('');
  const [delimiter, setDelimiter] = useState('/');
  const [markers, setMarkers] = useState<string[]>(['']);
  const [pageSize, setPageSize] = useState(50);
  const [selected, setSelected] = useState<string>();
  const [selectedVersion, setSelectedVersion] = useState<string>();
  const anyWrite = useMemo(() => lastWrite(live.events), [live.events]);
  const bucketWrite = useMemo(() => (bucket === undefined ? 0 : lastWrite(live.events, bucket)), [live.events, bucket]);
  const buckets = useJson<{ buckets: BucketRow[] }>('/_mock/ui/api/buckets', anyWrite);
  const marker = markers[markers.length - 1]!;
  const page = useJson<ObjectPage>(
    bucket === undefined
      ? undefined
      : withQuery('/_mock/ui/api/objects', { bucket, prefix, delimiter, marker, max: pageSize }),
    bucketWrite,
  );
  const open = (b: string | undefined, p = ''): void => {
    setBucket(b);
    setPrefix(p);
    setMarkers(['']);
    setSelected(undefined);
    setSelectedVersion(undefined);
  };
  const select = (key: string): void => {
    setSelected(key);
    setSelectedVersion(undefined);
  };
  const versioned = buckets.data?.buckets.find((b) => b.name === bucket)?.versioning !== undefined;
  const objectColumns: Column<ObjectRow>[] = [
    {
      title: 'Key',
      className: 'key',
      cell: (o) => (
        <a href="#storage" class={o.key === selected ? 'selected' : undefined} onClick={() => select(o.key)}>
          {o.key.slice(prefix.length)}
        </a>
      ),
    },
    { title: 'Size', cell: (o) => bytes(o.size), className: 'num' },
    { title: 'Last modified', cell: (o) => localTime(o.lastModified) },
    { title: 'ETag', cell: (o) => <code>{o.etag}</code> },
    { title: 'Type', cell: (o) => o.objectType },
    { title: 'Storage class', cell: (o) => o.storageClass },
    ...(versioned
      ? [
          {
            title: 'Version ID',
            cell: (o: ObjectRow) => <code>{String(o.versionId ?? 'null')}</code>,
            className: 'version-id',
          },
        ]
      : []),
  ];
  const crumbs = prefix === '' ? [] : prefix.split(delimiter || '\u0000').slice(0, -1);
  return (
    <section class="panel storage" id="storage">
      <div class="buckets">
        <h2>
          Buckets <span class="count">{buckets.data?.buckets.length ?? 0}</span>
        </h2>
        {buckets.error !== undefined && <p class="error">{buckets.error}</p>}
        <ul id="bucket-list">
          {(buckets.data?.buckets ?? []).map((b) => (
            <li key={b.name}>
              <a href="#storage" class={b.name === bucket ? 'selected' : undefined} onClick={() => open(b.name)}>
                {b.name}
              </a>
              <small class="muted"> {b.location}</small>
            </li>
          ))}
        </ul>
        <FinishedUploads reload={anyWrite} />
      </div>
      <div class="objects">
        {bucket === undefined ? (
          <p class="empty">Choose a bucket.</p>
        ) : (
          <>
            <nav class="crumbs" id="crumbs">
              <a href="#storage" onClick={() => open(bucket)}>
                {bucket}
              </a>
              {crumbs.map((c, i) => (
                <span key={i}>
                  {' / '}
                  <a href="#storage" onClick={() => open(bucket, crumbs.slice(0, i + 1).join(delimiter) + delimiter)}>
                    {c}
                  </a>
                </span>
              ))}
            </nav>
            <form class="filters" onSubmit={(e) => e.preventDefault()}>
              <label class="field">
                <span>Prefix</span>
                <input
                  name="prefix"
                  value={prefix}
                  onChange={(e) => {
                    setPrefix(e.currentTarget.value);
                    setMarkers(['']);
                  }}
                />
              </label>
              <label class="field">
                <span>Delimiter</span>
                <input
                  name="delimiter"
                  value={delimiter}
                  size={3}
                  onChange={(e) => {
                    setDelimiter(e.currentTarget.value);
                    setMarkers(['']);
                  }}
                />
              </label>
              <label class="field">
                <span>Page size</span>
                <select
                  name="page-size"
                  value={pageSize}
                  onChange={(e) => {
                    setPageSize(Number(e.currentTarget.value));
                    setMarkers(['']);
                  }}
                >
                  {[10, 50, 100, 500, 1000].map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </select>
              </label>
            </form>
            {page.error !== undefined && <p class="error">{page.error}</p>}
            {page.data !== undefined && (
              <>
                {page.data.prefixes.length > 0 && (
                  <ul class="prefixes" id="prefixes">
                    {page.data.prefixes.map((p) => (
                      <li key={p}>
                        <a href="#storage" onClick={() => open(bucket, p)}>
                          {p.slice(prefix.length)}
                        </a>
                      </li>
                    ))}
                  </ul>
                )}
                {page.data.objects.length === 0 && page.data.prefixes.length === 0 ? (
                  <p class="empty">No object{prefix === '' ? '' : ` under ${prefix}`}.</p>
                ) : (
                  <Table id="objects-table" columns={objectColumns} rows={page.data.objects} rowKey={(o) => o.key} />
                )}
                <div class="pager">
                  <button
                    type="button"
                    disabled={markers.length === 1}
                    onClick={() => setMarkers(markers.slice(0, -1))}
                  >
                    Previous page
                  </button>
                  <span class="muted">page {markers.length}</span>
                  <button
                    type="button"
                    disabled={!page.data.truncated}
                    onClick={() => setMarkers([...markers, page.data!.nextMarker ?? ''])}
                  >
                    Next page
                  </button>
                </div>
              </>
            )}
            {selected !== undefined && (
              <ObjectDetail bucket={bucket} objectKey={selected} versionId={selectedVersion} reload={bucketWrite} />
            )}
            {selected !== undefined && versioned && (
              <Versions
                bucket={bucket}
                objectKey={selected}
                chosen={selectedVersion}
                choose={setSelectedVersion}
                reload={bucketWrite}
              />
            )}
            <Uploads bucket={bucket} reload={bucketWrite} />
          </>
        )}
      </div>
    </section>
  );
}
