// The live state of the mock as the stream (GET /_mock/ui/stream, server-sent events) tells it: a snapshot when the
// stream opens (again after any reconnection), then only changes, at most a few a second.

import { useEffect, useReducer } from 'preact/hooks';
import type { InflightEntry, MockEvent, Rates, Rule } from '../../mock-server/control/types.js';
import type { ConsoleInfo, ConsoleMessage, FinishedUpload } from '../../mock-server/console/wire.js';

/** events the page keeps (the mock keeps far more: GET /_mock/events) */
export const KEPT_EVENTS = 5000;
const KEPT_RECENT = 200;

export interface LiveState {
  connection: 'connecting' | 'open' | 'lost';
  info?: ConsoleInfo;
  inflight: InflightEntry[];
  /** the server's clock when `inflight` was taken, and the page's at arrival: time running without clock skew */
  inflightAt: { server: number; local: number };
  /** newest first */
  recent: FinishedUpload[];
  rules: Rule[];
  rates: Rates;
  /** oldest first */
  events: MockEvent[];
  /** events the stream left out because too many arrived at once */
  skipped: number;
}

export const initialState: LiveState = {
  connection: 'connecting',
  inflight: [],
  inflightAt: { server: 0, local: 0 },
  recent: [],
  rules: [],
  rates: { ingestRate: null, egressRate: null },
  events: [],
  skipped: 0,
};

type Action = ConsoleMessage | { type: 'connection'; connection: LiveState['connection'] };

function keepLast<T>(items: T[], n: number): T[] {
  return items.length > n ? items.slice(items.length - n) : items;
}

export function reduce(state: LiveState, a: Action): LiveState {
  switch (a.type) {
    case 'connection':
      return { ...state, connection: a.connection };
    case 'snapshot':
      return {
        connection: 'open',
        info: a.info,
        inflight: a.inflight,
        inflightAt: { server: a.now, local: Date.now() },
        recent: a.recent,
        rules: a.rules,
        rates: a.rates,
        events: a.events,
        skipped: 0,
      };
    case 'inflight':
      return { ...state, inflight: a.inflight, inflightAt: { server: a.now, local: Date.now() } };
    case 'finished':
      return { ...state, recent: [...a.uploads].reverse().concat(state.recent).slice(0, KEPT_RECENT) };
    case 'events':
      return {
        ...state,
        events: keepLast(a.skipped > 0 ? a.events : state.events.concat(a.events), KEPT_EVENTS),
        skipped: state.skipped + a.skipped,
      };
    case 'rules':
      return { ...state, rules: a.rules };
    case 'rates':
      return { ...state, rates: a.rates };
    case 'reset':
      return { ...state, recent: [], events: [], skipped: 0 };
  }
}

export function useLiveState(url = '/_mock/ui/stream'): LiveState {
  const [state, dispatch] = useReducer(reduce, initialState);
  useEffect(() => {
    const source = new EventSource(url);
    source.onmessage = (e: MessageEvent<string>) => dispatch(JSON.parse(e.data) as ConsoleMessage);
    // EventSource reconnects by itself and the server then starts with a fresh snapshot
    source.onerror = () =>
      dispatch({ type: 'connection', connection: source.readyState === EventSource.CLOSED ? 'lost' : 'connecting' });
    return () => source.close();
  }, [url]);
  return state;
}
