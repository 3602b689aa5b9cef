import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createEmulator, type HubEmulator } from '../index.js';
import type { LoadTargetOptions } from './load-options.js';
import { ServiceRestClient } from './service-rest-client.js';

/** A hub to put load on: where devices connect, how they are registered, how the service side patches desired. */
export interface LoadTarget {
  readonly description: string;
  readonly hostName: string;
  readonly connectHost: string;
  readonly mqttsPort: number;
  /** The port the next connection dials (round-robin over a cluster's nodes, else always `mqttsPort`). */
  pickPort(): number;
  readonly ca: string;
  /** Registers the device if needed and returns its primary key. */
  ensureDevice(deviceId: string): Promise<string>;
  /** A service-side desired patch (merge). */
  patchDesired(deviceId: string, desired: object): Promise<void>;
  close(): Promise<void>;
}

/** Starts an in-process hub, or prepares a client for a remote one. */
export async function openLoadTarget(options: LoadTargetOptions): Promise<LoadTarget> {
  return options.kind === 'in-process' ? inProcessTarget(options) : remoteTarget(options);
}

async function inProcessTarget(options: Extract<LoadTargetOptions, { kind: 'in-process' }>): Promise<LoadTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'twin-load-'));
  const hub: HubEmulator = createEmulator({
    dataDir,
    persistence: options.persistence,
    fsync: options.fsync,
    bindAddress: '127.0.0.1',
    disconnectGraceMs: 0,
    ports: { mqtts: 0, https: null, httpsFallback: null, mqtt: null, amqps: null },
  });
  const info = await hub.start();
  return {
    description: `in-process hub (${options.persistence} store${options.persistence === 'file' ? `, fsync ${options.fsync ? 'on' : 'off'}` : ''}) in ${dataDir}`,
    hostName: info.hostName,
    connectHost: '127.0.0.1',
    mqttsPort: info.ports.mqtts,
    pickPort: () => info.ports.mqtts,
    ca: await readFile(info.caCertPath, 'utf8'),
    async ensureDevice(deviceId) {
      const record = hub.registry.find(deviceId) ?? (await hub.registry.create({ deviceId }));
      return record.authentication.symmetricKey.primaryKey;
    },
    async patchDesired(deviceId, desired) {
      await hub.twins.updateTwin(deviceId, { properties: { desired } });
    },
    async close() {
      await hub.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function remoteTarget(options: Extract<LoadTargetOptions, { kind: 'remote' }>): Promise<LoadTarget> {
  const ca = await readFile(options.caPath, 'utf8');
  const client = new ServiceRestClient(options.connectionString, ca, options.httpsPort, options.connectHost);
  const ports = options.mqttsPorts ?? [options.mqttsPort];
  let next = 0;
  return {
    description: `hub at ${client.hubHostName} (MQTT ${ports.join(', ')}, REST ${options.httpsPort})`,
    hostName: client.hubHostName,
    connectHost: options.connectHost ?? client.hubHostName,
    mqttsPort: options.mqttsPort,
    pickPort: () => ports[next++ % ports.length] ?? options.mqttsPort,
    ca,
    ensureDevice: (deviceId) => client.ensureDevice(deviceId),
    patchDesired: (deviceId, desired) => client.patchDesired(deviceId, desired),
    async close() {
      client.close();
    },
  };
}
