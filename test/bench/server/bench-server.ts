// Child process of the benchmarks: runs the system under test (the hub, or a bare Aedes broker) alone in its own
// process, so its CPU time and memory are measured without the load generator's, and the two get a core each on a
// 2-core machine. Commands arrive over the IPC channel (see server-process.ts); started with --expose-gc.
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createEmulator, type EmulatorConfig, type HubEmulator } from '../../../emulator/index.js';
import { populateTwins } from '../populate.js';
import { startRawBroker, type RawBroker } from './raw-broker.js';
import type { ChurnRound, HubStarted, ServerCommand, ServerReply, WriteStats } from './server-protocol.js';

let hub: HubEmulator | undefined;
let raw: RawBroker | undefined;
let hubDataDir: string | undefined;

async function startHub(command: Extract<ServerCommand, { cmd: 'start-hub' }>): Promise<HubStarted> {
  hubDataDir = command.dataDir;
  hub = createEmulator({
    dataDir: command.dataDir,
    fsync: command.fsync,
    persistence: command.memory ? 'memory' : 'file',
    bindAddress: '127.0.0.1',
    disconnectGraceMs: 0,
    ports: { mqtts: 0, https: command.https ? 0 : null, httpsFallback: null, mqtt: null, amqps: command.amqps === true ? 0 : null },
    ...(command.routing ? { routing: command.routing as EmulatorConfig['routing'] } : {}),
  });
  const info = await hub.start();
  const registry = hub.registry;
  // One Promise.all: group commit turns the whole registration into a handful of writes.
  const missing = Array.from({ length: command.devices }, (_, index) => index).filter(
    (index) => command.seeded !== true || registry.find(`${command.prefix}${index}`) === undefined,
  );
  await Promise.all(
    missing.map((index) =>
      registry.create({
        deviceId: `${command.prefix}${index}`,
        authentication: { symmetricKey: { primaryKey: command.deviceKey, secondaryKey: command.deviceKey } },
      }),
    ),
  );
  const tags = command.deviceTags;
  if (tags) await Promise.all(Array.from({ length: command.devices }, (_, index) => hub?.twins.updateTwin(`${command.prefix}${index}`, { tags })));
  return {
    port: info.ports.mqtts,
    httpsPort: info.ports.https,
    amqpsPort: info.ports.amqps,
    caPem: await readFile(info.caCertPath, 'utf8'),
    hostName: info.hostName,
    serviceConnectionString: info.serviceConnectionString,
  };
}

async function startRaw(certDir: string): Promise<HubStarted> {
  const [cert, key, caPem] = await Promise.all(
    ['server.pem', 'server-key.pem', 'ca.pem'].map((name) => readFile(join(certDir, name), 'utf8')),
  );
  raw = await startRawBroker({ cert: cert ?? '', key: key ?? '' });
  return { port: raw.port, httpsPort: null, caPem: caPem ?? '', hostName: 'localhost', serviceConnectionString: '' };
}

/** `write_bytes` of /proc/self/io (0 where there is no /proc). */
function procWriteBytes(): number {
  try {
    const match = /^write_bytes:\s*(\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Sectors written × 512 of the block device that holds `dir` (0 when it cannot be found). */
function deviceWriteBytes(dir: string | undefined): number {
  if (dir === undefined) return 0;
  try {
    const dev = statSync(dir).dev;
    const major = (dev >>> 8) & 0xfff;
    const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
    for (const line of readFileSync('/proc/diskstats', 'utf8').split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (Number(fields[0]) === major && Number(fields[1]) === minor) return Number(fields[9]) * 512;
    }
  } catch {
    /* no /proc */
  }
  return 0;
}

function stats(): WriteStats {
  const store = hub?.storeStats() ?? { journalBytes: 0, snapshotBytes: 0, batches: 0, changes: 0, compactions: 0 };
  return { ...store, procWriteBytes: procWriteBytes(), deviceWriteBytes: deviceWriteBytes(hubDataDir) };
}

const CHURN_QUERIES = [
  "SELECT * FROM devices WHERE tags.location.building = 'b17'",
  'SELECT * FROM devices WHERE properties.reported.battery < 10',
  "SELECT deviceId, tags.owner FROM devices WHERE tags.environment = 'staging'",
];

/** Rounds of: every page of three queries, then `writes` reported patches, 64 in flight; memory after each. */
async function churn(command: Extract<ServerCommand, { cmd: 'churn' }>): Promise<ChurnRound[]> {
  if (!hub) throw new Error('no hub');
  const running = hub;
  const rounds: ChurnRound[] = [];
  let seq = 0;
  for (let round = 0; round < command.rounds; round++) {
    const start = performance.now();
    for (const query of CHURN_QUERIES) {
      let continuation: string | undefined;
      do {
        const page = running.query(query, { pageSize: 100, ...(continuation !== undefined && { continuation }) });
        continuation = page.continuation;
      } while (continuation !== undefined);
    }
    for (let done = 0; done < command.writes; done += 64) {
      await Promise.all(
        Array.from({ length: Math.min(64, command.writes - done) }, () => {
          const index = (seq++ * 7919) % command.twins;
          return running.twins.patchReported(`${command.prefix}${index}`, { temperature: seq % 40, round });
        }),
      );
    }
    const ms = performance.now() - start;
    const { rss, heapUsed } = memory();
    rounds.push({ rss, heapUsed, ms });
  }
  return rounds;
}

function memory(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Twice: the first pass can leave weakly held objects for the second.
  gc?.();
  gc?.();
  return process.memoryUsage();
}

async function run(command: ServerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'start-hub':
      return startHub(command);
    case 'start-raw':
      return startRaw(command.certDir);
    case 'memory':
      return memory();
    case 'cpu':
      return process.cpuUsage();
    case 'stats':
      return stats();
    case 'churn':
      return churn(command);
    case 'create-devices': {
      if (!hub) throw new Error('no hub');
      const start = performance.now();
      for (let from = 0; from < command.count; from += command.chunk) {
        const ids = Array.from({ length: Math.min(command.chunk, command.count - from) }, (_, i) => `${command.prefix}${from + i}`);
        await Promise.all(ids.map((deviceId) => hub?.registry.create({ deviceId })));
      }
      return performance.now() - start;
    }
    case 'populate':
      if (!hub) throw new Error('no hub');
      await populateTwins(hub, command.twins, { prefix: command.prefix, key: command.deviceKey });
      return null;
    case 'update-desired':
      if (!hub) throw new Error('no hub');
      await hub.twins.updateTwin(command.deviceId, { properties: { desired: command.desired } });
      return null;
    case 'stop':
      await hub?.stop();
      await raw?.close();
      return null;
  }
}

process.on('message', (message: { id: number; command: ServerCommand }) => {
  void run(message.command).then(
    (value) => process.send?.({ id: message.id, ok: true, value } satisfies ServerReply),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: String(error) } satisfies ServerReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, ok: true, value: 'ready' } satisfies ServerReply);
