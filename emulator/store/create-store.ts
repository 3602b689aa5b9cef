import type { Logger } from '../logger.js';
import { JournalStore } from './journal-store.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { EmulatorStore, Reducer } from './store.js';

/** The store a hub's configuration asks for: Redis (`store` URL), the journal in the data folder, or memory. */
export function createStore(options: {
  persistence: 'file' | 'memory';
  /** A `redis://` URL: the Redis store, with keys prefixed `{<prefix>}:` and this node id. */
  redis?: { url: string; prefix: string; nodeId?: string | undefined } | undefined;
  dataDir: string;
  fsync: boolean;
  reduce: Reducer;
  logger: Logger;
  compactAtBytes?: number | undefined;
}): EmulatorStore {
  if (options.redis) {
    const { url, prefix, nodeId } = options.redis;
    return new RedisStore({ url, prefix, reduce: options.reduce, logger: options.logger, ...(nodeId === undefined ? {} : { nodeId }), ...(options.compactAtBytes === undefined ? {} : { compactAtBytes: options.compactAtBytes }) });
  }
  if (options.persistence === 'memory') return new MemoryStore(options.reduce);
  const { dataDir, reduce, fsync, logger, compactAtBytes } = options;
  return new JournalStore({ dataDir, reduce, fsync, logger, ...(compactAtBytes === undefined ? {} : { compactAtBytes }) });
}
