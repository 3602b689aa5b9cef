// Child process of the benchmarks: runs the system under test (the hub, or a bare Aedes broker) alone in its own
// process, so its CPU time and memory are measured without the load generator's, and the two get a core each on a
// 2-core machine. Commands arrive over the IPC channel (see server-process.ts); started with --expose-gc.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { createEmulator, type HubEmulator } from '../../../emulator/index.js';
import { startRawBroker, type RawBroker } from './raw-broker.js';
import type { ServerCommand, ServerReply, HubStarted } from './server-protocol.js';

let hub: HubEmulator | undefined;
let raw: RawBroker | undefined;

async function startHub(command: Extract<ServerCommand, { cmd: 'start-hub' }>): Promise<HubStarted> {
  hub = createEmulator({
    dataDir: command.dataDir,
    fsync: command.fsync,
    persistence: command.memory ? 'memory' : 'file',
    bindAddress: '127.0.0.1',
    disconnectGraceMs: 0,
    ports: { mqtts: 0, https: command.https ? 0 : null, httpsFallback: null, mqtt: null, amqps: null },
  });
  const info = await hub.start();
  const registry = hub.registry;
  // One Promise.all: group commit turns the whole registration into a handful of writes.
  await Promise.all(
    Array.from({ length: command.devices }, (_, index) =>
      registry.create({
        deviceId: `${command.prefix}${index}`,
        authentication: { symmetricKey: { primaryKey: command.deviceKey, secondaryKey: command.deviceKey } },
      }),
    ),
  );
  return {
    port: info.ports.mqtts,
    httpsPort: info.ports.https,
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
