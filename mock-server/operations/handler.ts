// What every operation handler receives, and the event helper they share.
import type { Exchange } from '../exchange/exchange.js';
import type { ServerConfig } from '../exchange/config.js';
import type { MockControl } from '../control/control.js';
import { eventSubject } from '../control/events.js';
import type { MockEventDetails } from '../control/types.js';
import type { DeleteOutcome, Store } from '../storage/store.js';

export interface OperationServices {
  config: ServerConfig;
  store: Store;
  control: MockControl;
}

/** Answers one request (success path); throws OssError for the http layer's single error path. */
export type Handler = (ex: Exchange, s: OperationServices) => Promise<void>;

/**
 * Logs a state change after the store committed it, tagged with the request it came from (and with `key` when the
 * change is to another key than the request's: one entry of DeleteMultipleObjects).
 */
export function emitEvent(ex: Exchange, s: OperationServices, details: MockEventDetails, key?: string): void {
  s.control.emit({ ...eventSubject(ex.ctx), ...(key === undefined ? {} : { key }), ...details });
}

/** The object.committed event of a new object version (its version ID in a versioned bucket). */
export function committedEvent(meta: { size: number; etag: string; versionId?: string }): MockEventDetails {
  return meta.versionId === undefined
    ? { type: 'object.committed', size: meta.size, etag: meta.etag }
    : { type: 'object.committed', size: meta.size, etag: meta.etag, versionId: meta.versionId };
}

/** The object.deleted event of a DeleteObject that removed something or added a delete marker. */
export function deletedEvent(outcome: DeleteOutcome): MockEventDetails {
  return {
    type: 'object.deleted',
    ...(outcome.versionId === undefined ? {} : { versionId: outcome.versionId }),
    ...(outcome.deleteMarker ? { deleteMarker: true as const } : {}),
  };
}

/** Bucket and key of an object-level request (dispatch guarantees both). */
export function objectTarget(ex: Exchange): { bucket: string; key: string } {
  return { bucket: ex.ctx.bucket!, key: ex.ctx.key! };
}
