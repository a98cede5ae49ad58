// What ingest/ needs from the rest of the mock while it reads a request: register the body in the in-flight registry,
// log events, report a request interrupted before its body was read, count how each body was read, and the idle
// timeout. MockControl provides them all; tests may pass anything of this shape.
import type { MockControl } from '../control/control.js';

export type IngestHooks = Pick<MockControl, 'trackBody' | 'emit' | 'bodyAborted' | 'waiting' | 'bodyTaken'> & {
  readonly config: { readonly bodyIdleTimeoutMs?: number };
};
