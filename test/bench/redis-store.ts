// `npx tsx test/bench/redis-store.ts`: the Redis store's figures for docs/scale.md, on a redis-server started here
// (AOF, appendfsync always and everysec). Not part of the test command; prints a Markdown table.
import { Redis } from 'ioredis';

import { RedisStore } from '../../emulator/store/redis-store.js';
import { ChangeMaker, reduce } from '../conformance/change-fixtures.js';
import { startRedisServer } from '../helpers/redis-server.js';

const DEVICES = Number(process.env.DEVICES ?? 10_000);
const WRITES = Number(process.env.WRITES ?? 20_000);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 64);

async function main(): Promise<void> {
  for (const appendfsync of ['always', 'everysec'] as const) {
    const server = await startRedisServer({ appendfsync });
    const admin = new Redis(server.url);
    try {
      const used = async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1] ?? 0);
      const base = await used();
      const store = new RedisStore({ url: server.url, prefix: 'bench', nodeId: 'a', reduce, compactOnClose: false, compactAtBytes: 2 ** 40 });
      await store.open();
      const maker = new ChangeMaker();
      let started = performance.now();
      for (let i = 0; i < DEVICES; i += 500) await store.append(Array.from({ length: Math.min(500, DEVICES - i) }, (_, j) => maker.devicePut(`dev-${i + j}`)));
      const createMs = performance.now() - started;
      const afterDevices = await used();
      // Twin writes: IN_FLIGHT writers, each one reported patch after the other (the group commit batches them).
      let next = 0;
      const latencies: number[] = [];
      started = performance.now();
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < WRITES) {
            const i = next++;
            const t = performance.now();
            await store.append([maker.reported({ deviceId: `dev-${i % DEVICES}` }, { temperature: 20 + (i % 10), seq: i })]);
            latencies.push(performance.now() - t);
          }
        }),
      );
      const writeMs = performance.now() - started;
      latencies.sort((x, y) => x - y);
      const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]?.toFixed(1);
      const afterWrites = await used();
      const streamBytes = Number(await admin.memory('USAGE', '{bench}:log', 'SAMPLES', '0'));
      const entries = await admin.xlen('{bench}:log');
      const lastBytes = Number(await admin.memory('USAGE', '{bench}:last', 'SAMPLES', '0'));
      const stats = store.stats;
      started = performance.now();
      await store.close();
      const reopen = new RedisStore({ url: server.url, prefix: 'bench', nodeId: 'b', reduce, compactOnClose: false });
      started = performance.now();
      await reopen.open();
      const replayMs = performance.now() - started;
      await reopen.close();
      console.log(`\n### appendfsync ${appendfsync}`);
      console.log(`| figure | value |\n|---|---|`);
      console.log(`| ${DEVICES} devicePut in batches of 500 | ${createMs.toFixed(0)} ms |`);
      console.log(`| Redis memory per device (record + twin in the stream entry, last-writer field) | ${((afterDevices - base) / DEVICES).toFixed(0)} B |`);
      console.log(`| ${WRITES} reported writes, ${IN_FLIGHT} in flight | ${(WRITES / (writeMs / 1000)).toFixed(0)} writes/s, ${stats.batches} batches (${(stats.changes / stats.batches).toFixed(1)} changes/batch) |`);
      console.log(`| append latency p50 / p99 | ${p(0.5)} / ${p(0.99)} ms |`);
      console.log(`| Redis memory growth per twin write (stream) | ${((afterWrites - afterDevices) / WRITES).toFixed(0)} B |`);
      console.log(`| stream: ${entries} entries | ${(streamBytes / 1024 / 1024).toFixed(1)} MiB (${(streamBytes / entries).toFixed(0)} B/entry); last-writer hash ${(lastBytes / 1024 / 1024).toFixed(1)} MiB |`);
      console.log(`| open (replay ${entries} entries, ${stats.changes} changes, no snapshot) | ${replayMs.toFixed(0)} ms |`);
    } finally {
      admin.disconnect();
      await server.stop();
    }
  }
}

void main();
