import { MemoryStore } from '../../emulator/store/memory-store.js';
import { reduce } from './change-fixtures.js';
import { runStoreConformance } from './store.conformance.js';

runStoreConformance({ name: 'MemoryStore', durable: false, create: () => new MemoryStore(reduce) });
