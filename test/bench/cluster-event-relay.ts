// `npx tsx test/bench/cluster-event-relay.ts`: how fast the cluster's event relay (emulator/cluster/cluster-event-relay.ts)
// carries telemetry events from one node to another through Redis, and what an event costs there, for docs/scale.md;
// on a redis-server started here (AOF, appendfsync always and everysec). The nodes' own event logs are in memory, so
// this is the relay alone. Not part of the test command; prints a Markdown table.
import { Redis } from 'ioredis';

import { ClusterEventRelay } from '../../emulator/cluster/cluster-event-relay.js';
import { noopLogger } from '../../emulator/logger.js';
import type { HubEvent, HubEventInput } from '../../emulator/model/hub-event.js';
import type { EventLogPort } from '../../emulator/services/event-hub-service.js';
import { startRedisServer } from '../helpers/redis-server.js';

const EVENTS = Number(process.env.EVENTS ?? 20_000);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 64);

function memoryLog(): EventLogPort & { count: number } {
  const log = {
    count: 0,
    partitionCount: 4,
    append: async (inputs: readonly HubEventInput[]) => {
      log.count += inputs.length;
      return inputs.map((input) => ({ ...input, sequenceNumber: 0, offset: '0' }) as HubEvent);
    },
    events: () => [],
    state: () => ({ beginSequenceNumber: 0, lastSequenceNumber: -1, lastOffset: '-1', lastEnqueuedTime: 0, empty: true }),
    onAppended: () => () => undefined,
  };
  return log;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  // A typical telemetry event: a ~100-byte JSON body and the annotations the hub stamps.
  const body = Buffer.from(JSON.stringify({ temperature: 21.5, humidity: 40, seq: 1, pad: 'x'.repeat(50) })).toString('base64');
  for (const appendfsync of ['always', 'everysec'] as const) {
    const server = await startRedisServer({ appendfsync });
    const admin = new Redis(server.url);
    const from = new ClusterEventRelay(memoryLog(), { url: server.url, prefix: 'bench', nodeId: 'a', logger: noopLogger });
    const toLog = memoryLog();
    const to = new ClusterEventRelay(toLog, { url: server.url, prefix: 'bench', nodeId: 'b', logger: noopLogger });
    try {
      await from.start();
      await to.start();
      const base = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1] ?? 0);
      const started = performance.now();
      // IN_FLIGHT devices' messages per event-loop turn, as a busy node's MQTT connections deliver them.
      for (let i = 0; i < EVENTS; i += IN_FLIGHT) {
        const turn: Promise<unknown>[] = [];
        for (let j = i; j < Math.min(EVENTS, i + IN_FLIGHT); j++) {
          const annotations = { 'iothub-connection-device-id': `dev-${j % 1000}`, 'iothub-message-source': 'Telemetry', 'iothub-enqueuedtime': new Date().toISOString() };
          turn.push(from.append([{ partition: j % 4, enqueuedTime: Date.now(), body, properties: { messageId: `m${j}` }, annotations, application: { kind: 'reading' } }]));
        }
        await Promise.all(turn);
        await new Promise((resolve) => setImmediate(resolve));
      }
      while (toLog.count < EVENTS) await new Promise((resolve) => setTimeout(resolve, 5));
      const ms = performance.now() - started;
      const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1] ?? 0) - base;
            rows.push(`| ${appendfsync} | ${EVENTS} | ${Math.round(EVENTS / (ms / 1000)).toLocaleString('en-US')} /s | ${Math.round(used / EVENTS)} B |`);
    } finally {
      await from.close();
      await to.close();
      admin.disconnect();
      await server.stop();
    }
  }
  process.stdout.write(['| appendfsync | events | relayed to the other node | Redis memory per event |', '|---|---|---|---|', ...rows].join('\n') + '\n');
}

await main();
