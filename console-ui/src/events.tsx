// The event log as a live table, newest first, filtered by bucket, key, upload ID and type.

import { useMemo, useState } from 'preact/hooks';
import type { MockEvent } from '../../mock-server/control/types.js';
import { clock, shortId } from './format.js';
import { KEPT_EVENTS, type LiveState } from './stream.js';

const SHOWN = 500;
const SUBJECT = new Set(['seq', 'time', 'type', 'requestId', 'operation', 'bucket', 'key', 'uploadId', 'partNumber']);

interface Filter {
  bucket: string;
  key: string;
  uploadId: string;
  type: string;
}

function matches(e: MockEvent, f: Filter): boolean {
  return (
    (f.type === '' || e.type === f.type) &&
    (f.bucket === '' || e.bucket === f.bucket) &&
    (f.key === '' || (e.key ?? '').includes(f.key)) &&
    (f.uploadId === '' || e.uploadId === f.uploadId)
  );
}

function details(e: MockEvent): string {
  return Object.entries(e)
    .filter(([k]) => !SUBJECT.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

export function EventsPanel({ live }: { live: LiveState }) {
  const [filter, setFilter] = useState<Filter>({ bucket: '', key: '', uploadId: '', type: '' });
  const [paused, setPaused] = useState<MockEvent[]>();
  const source = paused ?? live.events;
  const types = useMemo(() => [...new Set(live.events.map((e) => e.type))].sort(), [live.events]);
  const shown = useMemo(() => {
    const out: MockEvent[] = [];
    for (let i = source.length - 1; i >= 0 && out.length < SHOWN; i--)
      if (matches(source[i]!, filter)) out.push(source[i]!);
    return out;
  }, [source, filter]);
  const input = (name: keyof Filter, label: string) => (
    <label class="field">
      <span>{label}</span>
      <input
        name={`filter-${name}`}
        value={filter[name]}
        onInput={(e) => setFilter({ ...filter, [name]: e.currentTarget.value.trim() })}
      />
    </label>
  );
  return (
    <section class="panel" id="events">
      <h2>
        Events <span class="count">{live.events.length}</span>
      </h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        {input('bucket', 'Bucket')}
        {input('key', 'Key contains')}
        {input('uploadId', 'Upload ID')}
        <label class="field">
          <span>Type</span>
          <select
            name="filter-type"
            value={filter.type}
            onChange={(e) => setFilter({ ...filter, type: e.currentTarget.value })}
          >
            <option value="">all</option>
            {types.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setPaused(paused === undefined ? live.events : undefined)}>
          {paused === undefined ? 'Pause' : 'Follow'}
        </button>
      </form>
      <p class="muted">
        {paused === undefined ? 'Following new events' : 'Paused'} · the newest {SHOWN} matching of the last{' '}
        {KEPT_EVENTS} · the full log: GET /_mock/events
        {live.skipped > 0 && ` · ${live.skipped} events were too many to stream`}
      </p>
      <table id="events-table">
        <thead>
          <tr>
            <th>Seq</th>
            <th>Time</th>
            <th>Type</th>
            <th>Operation</th>
            <th>Bucket</th>
            <th>Key</th>
            <th>Upload · part</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <tr key={e.seq} data-type={e.type}>
              <td class="num">{e.seq}</td>
              <td class="num">{clock(e.time)}</td>
              <td>{e.type}</td>
              <td>{e.operation ?? ''}</td>
              <td>{e.bucket ?? ''}</td>
              <td class="key">{e.key ?? ''}</td>
              <td title={e.uploadId}>
                {shortId(e.uploadId)}
                {e.partNumber === undefined ? '' : ` · ${e.partNumber}`}
              </td>
              <td class="details">{details(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
