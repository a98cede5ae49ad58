// What ingest/ needs from the rest of the mock while it reads a request: register the body in the in-flight registry,
// log events, and the idle timeout. MockControl provides all three; tests may pass anything of this shape.
import type { MockControl } from '../control/control.js';

export type IngestHooks = Pick<MockControl, 'trackBody' | 'emit'> & {
  readonly config: { readonly bodyIdleTimeoutMs?: number };
};
