// Uploads in flight (progress, rates, what throttles them, time running) and the ones that ended, with how.

import { useEffect, useState } from 'preact/hooks';
import type { InflightEntry, RateLimit } from '../../mock-server/control/types.js';
import type { FinishedUpload, UploadOutcome } from '../../mock-server/console/wire.js';
import { bytes, clock, duration, rate, shortId, target } from './format.js';
import type { LiveState } from './stream.js';

/** Re-renders every `ms` (time running); local only, nothing is fetched. */
function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

function limitText(limit: RateLimit | undefined): string {
  if (limit === undefined) return 'unlimited';
  if (limit.by === 'rule') return `${rate(limit.rate)} · rule ${limit.ruleId ?? ''}`;
  return `${rate(limit.rate)} · ${limit.by === 'traffic-limit' ? 'x-oss-traffic-limit' : 'global rate'}`;
}

function UploadSubject({ u }: { u: { uploadId?: string; partNumber?: number } }) {
  if (u.uploadId === undefined) return <span class="muted">–</span>;
  return (
    <span title={u.uploadId}>
      {shortId(u.uploadId)}
      {u.partNumber === undefined ? '' : ` · part ${u.partNumber}`}
    </span>
  );
}

function Progress({ e }: { e: InflightEntry }) {
  if (e.contentLength === null) {
    return (
      <div class="progress">
        <progress />
        <span>{bytes(e.bytesReceived)} (chunked)</span>
      </div>
    );
  }
  const pct = e.contentLength === 0 ? 100 : (100 * e.bytesReceived) / e.contentLength;
  return (
    <div class="progress">
      <progress value={e.bytesReceived} max={Math.max(1, e.contentLength)} />
      <span>
        {bytes(e.bytesReceived)} / {bytes(e.contentLength)} ({pct.toFixed(0)}%)
      </span>
    </div>
  );
}

export function InflightTable({ live }: { live: LiveState }) {
  const now = useNow(1000);
  const serverNow = live.inflightAt.server + (now - live.inflightAt.local);
  return (
    <section class="panel" id="inflight">
      <h2>
        In flight <span class="count">{live.inflight.length}</span>
      </h2>
      {live.inflight.length === 0 ? (
        <p class="empty">No request body is being received.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Operation</th>
              <th>Bucket / key</th>
              <th>Upload · part</th>
              <th class="wide">Progress</th>
              <th>Rate now</th>
              <th>Throttle</th>
              <th>Running</th>
            </tr>
          </thead>
          <tbody>
            {live.inflight.map((e) => (
              <tr key={e.id} data-request-id={e.requestId}>
                <td>{e.operation}</td>
                <td class="key">{target(e)}</td>
                <td>
                  <UploadSubject u={e} />
                </td>
                <td>
                  <Progress e={e} />
                </td>
                <td class="num rate-now">{rate(e.rate)}</td>
                <td class="throttle">{limitText(e.ingestLimit)}</td>
                <td class="num">{duration(serverNow - Date.parse(e.startedAt))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The badge, then the rest of the sentence: "aborted by the client after 328 KiB of 4.00 MiB". */
const BADGE: Record<UploadOutcome['kind'], string> = {
  committed: 'committed',
  aborted: 'aborted',
  fault: 'cut',
  error: 'error',
};

function outcomeText(u: FinishedUpload): string {
  const o: UploadOutcome = u.outcome;
  const of = u.contentLength === null ? '' : ` of ${bytes(u.contentLength)}`;
  switch (o.kind) {
    case 'committed':
      return bytes(o.size);
    case 'aborted':
      return `by the client after ${bytes(o.bytesReceived)}${of}`;
    case 'fault':
      return `by a ${o.fault} fault (rule ${o.ruleId}) at ${bytes(o.atBytes)}${of}`;
    case 'error':
      return `answered ${o.status}${o.code === undefined ? '' : ` ${o.code}`}`;
  }
}

/** rows shown until "Show all" */
const RECENT_SHOWN = 8;

export function RecentTable({ live }: { live: LiveState }) {
  const [all, setAll] = useState(false);
  const rows = all ? live.recent : live.recent.slice(0, RECENT_SHOWN);
  return (
    <section class="panel" id="recent">
      <h2>
        Finished uploads <span class="count">{live.recent.length}</span>
      </h2>
      {live.recent.length === 0 ? (
        <p class="empty">No upload has ended since the log began.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Ended</th>
              <th>Operation</th>
              <th>Bucket / key</th>
              <th>Upload · part</th>
              <th>Outcome</th>
              <th>Took</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <tr key={u.requestId} class={`outcome-${u.outcome.kind}`} data-request-id={u.requestId}>
                <td class="num">{clock(u.endedAt)}</td>
                <td>{u.operation}</td>
                <td class="key">{target(u)}</td>
                <td>
                  <UploadSubject u={u} />
                </td>
                <td class="outcome">
                  <span class={`badge ${u.outcome.kind}`}>{BADGE[u.outcome.kind]}</span> {outcomeText(u)}
                </td>
                <td class="num">{duration(Date.parse(u.endedAt) - Date.parse(u.startedAt))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {live.recent.length > RECENT_SHOWN && (
        <button type="button" class="more" onClick={() => setAll(!all)}>
          {all ? `Show the newest ${RECENT_SHOWN}` : `Show all ${live.recent.length}`}
        </button>
      )}
    </section>
  );
}
