import { basename } from 'node:path';

import { afterAll, beforeAll } from 'vitest';

import { RedisStore } from '../../emulator/store/redis-store.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { reduce } from './change-fixtures.js';
import { runStoreConformance } from './store.conformance.js';

// A real redis-server (AOF, appendfsync always) on a free port; each case's folder name is its hub's key prefix,
// so "the same dir again" is a restart over the same Redis data.
let server: RedisServer | undefined;
beforeAll(async () => {
  server = await startRedisServer();
}, 30_000);
afterAll(async () => {
  await server?.stop();
});

runStoreConformance({
  name: 'RedisStore',
  durable: true,
  journalFiles: false,
  create: (dir, tuning = {}) =>
    new RedisStore({
      url: server?.url ?? 'redis://127.0.0.1:1',
      prefix: basename(dir),
      reduce,
      ...(tuning.compactAtBytes === undefined ? {} : { compactAtBytes: tuning.compactAtBytes }),
      ...(tuning.compactOnClose === undefined ? {} : { compactOnClose: tuning.compactOnClose }),
    }),
});
