// The oss-mock web console: one page, four views (live uploads and rules, events, storage), fed by one stream.

import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { EventsPanel } from './events.js';
import { rate } from './format.js';
import { RulesPanel } from './rules.js';
import { StoragePanel } from './storage.js';
import { useLiveState, type LiveState } from './stream.js';
import { InflightTable, RecentTable } from './uploads.js';

const VIEWS = [
  { id: 'live', title: 'Uploads & rules' },
  { id: 'events', title: 'Events' },
  { id: 'storage', title: 'Storage' },
] as const;
type View = (typeof VIEWS)[number]['id'];

function viewOf(hash: string): View {
  const id = hash.replace(/^#/, '');
  return VIEWS.find((v) => v.id === id)?.id ?? 'live';
}

function useView(): View {
  const [view, setView] = useState(viewOf(location.hash));
  useEffect(() => {
    const onHash = (): void => setView(viewOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return view;
}

function ResetButton() {
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string>();
  const reset = async (): Promise<void> => {
    try {
      await api('POST', '/_mock/reset');
      dialog.current?.close();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <>
      <button
        type="button"
        class="danger"
        id="reset"
        onClick={() => {
          setError(undefined);
          dialog.current?.showModal();
        }}
      >
        Reset…
      </button>
      <dialog ref={dialog} id="reset-dialog">
        <h2>Reset the mock?</h2>
        <p>Every bucket, object, multipart upload, rule and event is dropped. Uploads in flight go on.</p>
        {error !== undefined && <p class="error">{error}</p>}
        <div class="buttons">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="button" class="danger" id="reset-confirm" onClick={() => void reset()}>
            Reset everything
          </button>
        </div>
      </dialog>
    </>
  );
}

function Header({ live, view }: { live: LiveState; view: View }) {
  const status =
    live.connection === 'open' ? 'live' : live.connection === 'connecting' ? 'reconnecting…' : 'disconnected: reload';
  return (
    <header>
      <h1>oss-mock</h1>
      <span class={`status ${live.connection}`} id="connection" title="the stream from the mock">
        {status}
      </span>
      <nav class="tabs">
        {VIEWS.map((v) => (
          <a key={v.id} href={`#${v.id}`} class={v.id === view ? 'active' : undefined}>
            {v.title}
          </a>
        ))}
      </nav>
      <span class="muted rates-summary">
        ingest {rate(live.rates.ingestRate)} · egress {rate(live.rates.egressRate)}
        {live.info !== undefined && ` · storage: ${live.info.storage}${live.info.auth ? '' : ' · authentication off'}`}
      </span>
      <ResetButton />
    </header>
  );
}

function App() {
  const live = useLiveState();
  const view = useView();
  return (
    <>
      <Header live={live} view={view} />
      <main>
        {view === 'live' && (
          <>
            <InflightTable live={live} />
            <RecentTable live={live} />
            <RulesPanel live={live} />
          </>
        )}
        {view === 'events' && <EventsPanel live={live} />}
        {view === 'storage' && <StoragePanel live={live} />}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading…" line of index.html
render(<App />, root);
