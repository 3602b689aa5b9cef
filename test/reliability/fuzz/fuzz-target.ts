import { readFile } from 'node:fs/promises';

import { parseConnectionString } from '../../../emulator/auth/connection-string.js';
import { createSasToken } from '../../../emulator/auth/sas-token.js';
import type { HubProcess } from '../../helpers/hub-process.js';
import { LeanMqttClient } from '../../helpers/lean-mqtt-client.js';

/** The hub under fuzz: a real CLI process (a crash ends it, which is what "never crashes" checks). */
export interface FuzzTarget {
  readonly hub: HubProcess;
  readonly dataDir: string;
  readonly ca: string;
  /** Devices the campaign must never change (only read). */
  readonly protectedIds: readonly string[];
}

/** Counters per phase, printed by the long run. */
export type FuzzStats = Record<string, Record<string, number>>;

/** A broken invariant; carries the seed so the run can be replayed. */
export class FuzzViolation extends Error {
  constructor(seed: number, message: string) {
    super(`[fuzz seed ${seed}] ${message}`);
  }
}

export async function fuzzTarget(hub: HubProcess, dataDir: string, protectedIds: readonly string[]): Promise<FuzzTarget> {
  return { hub, dataDir, ca: await readFile(hub.info.caCertPath, 'utf8'), protectedIds };
}

/** True while the hub process runs. */
export function alive(target: FuzzTarget): boolean {
  return target.hub.child.exitCode === null && target.hub.child.signalCode === null;
}

/** A valid device SAS token for a device the CLI registered (`--device`). */
export function deviceToken(target: FuzzTarget, deviceId: string): string {
  const key = parseConnectionString(target.hub.info.devices[deviceId] ?? '').SharedAccessKey ?? '';
  return createSasToken({
    resourceUri: `${target.hub.info.hostName}/devices/${deviceId}`,
    base64Key: key,
    expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
  });
}

/** Connects as a device over TLS with the lean client (which can send what MQTT.js refuses to). */
export function connectDevice(target: FuzzTarget, deviceId: string, password = deviceToken(target, deviceId), username?: string): Promise<LeanMqttClient> {
  return LeanMqttClient.connect({
    host: '127.0.0.1',
    port: target.hub.info.ports.mqtts,
    ca: target.ca,
    clientId: deviceId,
    username: username ?? `${target.hub.info.hostName}/${deviceId}/?api-version=2021-04-12`,
    password,
    clean: false,
    timeoutMs: 10_000,
  });
}

export function count(stats: FuzzStats, phase: string, outcome: string): void {
  const bucket = (stats[phase] ??= {});
  bucket[outcome] = (bucket[outcome] ?? 0) + 1;
}
