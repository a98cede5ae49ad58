// A MockControl on a stub store, and request contexts, for the control/ and ingest/ tests.

import type { RequestContext } from '../../exchange/exchange.js';
import type { ServerConfig } from '../../exchange/config.js';
import type { Store } from '../../storage/store.js';
import { MockControl } from '../control.js';

export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    accessKeyId: 'id',
    accessKeySecret: 'secret',
    region: 'cn-hangzhou',
    auth: false,
    baseDomains: [],
    ...overrides,
  };
}

/** Only reset() and counts() are reachable from MockControl. */
export function stubStore(): Store & { resets: number } {
  const store = {
    resets: 0,
    reset: async () => {
      store.resets++;
    },
    counts: () => ({ buckets: 0, objects: 0, uploads: 0 }),
  };
  return store as unknown as Store & { resets: number };
}

export function testControl(overrides: Partial<ServerConfig> = {}): MockControl {
  return new MockControl({ config: testConfig(overrides), store: stubStore() });
}

let nextId = 1;

export function testContext(fields: Partial<RequestContext> = {}): RequestContext {
  const id = nextId++;
  return {
    id,
    requestId: `REQ${String(id).padStart(21, '0')}`,
    operation: 'PutObject',
    bucket: 'bucket',
    key: 'key',
    startedAt: Date.now(),
    ...fields,
  };
}
