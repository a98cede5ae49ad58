// What every operation handler receives, and the event helper they share.
import type { Exchange } from '../exchange/exchange.js';
import type { ServerConfig } from '../exchange/config.js';
import type { MockControl } from '../control/control.js';
import { eventSubject } from '../control/events.js';
import type { MockEventDetails } from '../control/types.js';
import type { Store } from '../storage/store.js';

export interface OperationServices {
  config: ServerConfig;
  store: Store;
  control: MockControl;
}

/** Answers one request (success path); throws OssError for the http layer's single error path. */
export type Handler = (ex: Exchange, s: OperationServices) => Promise<void>;

/** Logs a state change after the store committed it, tagged with the request it came from. */
export function emitEvent(ex: Exchange, s: OperationServices, details: MockEventDetails): void {
  s.control.emit({ ...eventSubject(ex.ctx), ...details });
}

/** Bucket and key of an object-level request (dispatch guarantees both). */
export function objectTarget(ex: Exchange): { bucket: string; key: string } {
  return { bucket: ex.ctx.bucket!, key: ex.ctx.key! };
}
