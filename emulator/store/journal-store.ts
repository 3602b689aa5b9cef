// TEMPORARY placeholder until the journal store lands (wip-store branch).
import { MemoryStore } from './memory-store.js';
import type { Reducer } from './store.js';
import type { Logger } from '../logger.js';

export class JournalStore extends MemoryStore {
  constructor(options: { dataDir: string; reduce: Reducer; fsync: boolean; logger?: Logger }) {
    super(options.reduce);
  }
}
