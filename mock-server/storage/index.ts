// The storage seam: mock-server/ picks a store here and talks to it only through the Store interface.

import { FileStore } from './file-store.js';
import { MemoryStore } from './memory-store.js';
import type { Store } from './store.js';

export * from './store.js';
export * from './limits.js';
export { FileStore, type FileStoreOptions } from './file-store.js';
export { MemoryStore } from './memory-store.js';

/** `--data-dir DIR` gives a FileStore on DIR, otherwise a MemoryStore. Call open() before use. */
export function createStore(dataDir?: string): Store {
  return dataDir === undefined ? new MemoryStore() : new FileStore(dataDir);
}
