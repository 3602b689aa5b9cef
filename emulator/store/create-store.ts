import type { Logger } from '../logger.js';
import { JournalStore } from './journal-store.js';
import { MemoryStore } from './memory-store.js';
import type { EmulatorStore, Reducer } from './store.js';

/** The store a hub's configuration asks for: the journal in the data folder, or memory. */
export function createStore(options: {
  persistence: 'file' | 'memory';
  dataDir: string;
  fsync: boolean;
  reduce: Reducer;
  logger: Logger;
  compactAtBytes?: number | undefined;
}): EmulatorStore {
  if (options.persistence === 'memory') return new MemoryStore(options.reduce);
  const { dataDir, reduce, fsync, logger, compactAtBytes } = options;
  return new JournalStore({ dataDir, reduce, fsync, logger, ...(compactAtBytes === undefined ? {} : { compactAtBytes }) });
}
