import { JournalStore } from '../../emulator/store/journal-store.js';
import { reduce } from './change-fixtures.js';
import { runStoreConformance } from './store.conformance.js';

runStoreConformance({
  name: 'JournalStore',
  durable: true,
  // fsync off unless a case asks for it: a process restart (what these cases do) keeps the page cache.
  create: (dataDir, tuning = {}) => new JournalStore({ dataDir, reduce, fsync: false, ...tuning }),
});
