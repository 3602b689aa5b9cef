import { createSasToken } from '../../emulator/auth/sas-token.js';
import { LeanMqttClient } from '../helpers/lean-mqtt-client.js';
import type { HubStarted } from './server/server-protocol.js';

/** What the load process knows about the server child it drives. */
export interface Target {
  readonly kind: 'hub' | 'raw';
  readonly started: HubStarted;
  /** Device ids are `<prefix><index>`. */
  readonly prefix: string;
  readonly deviceKey: string;
}

/** Connection options of device `index`: a SAS-signed device for the hub, an anonymous client for raw Aedes. */
function credentials(target: Target, index: number): { clientId: string; username?: string; password?: string } {
  const clientId = `${target.prefix}${index}`;
  if (target.kind === 'raw') return { clientId };
  const host = target.started.hostName;
  return {
    clientId,
    username: `${host}/${clientId}/?api-version=2021-04-12`,
    password: createSasToken({
      resourceUri: `${host}/devices/${clientId}`,
      base64Key: target.deviceKey,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 7200,
    }),
  };
}

/**
 * Connects devices `0..count-1` with at most `concurrency` handshakes in flight (clean=false, as the SDKs do), and
 * subscribes each to `filters(index)` (none: no SUBSCRIBE). Resolves when every client has its SUBACK; any failure
 * rejects.
 */
export async function connectFleet(
  target: Target,
  count: number,
  options: { concurrency: number; filters: (index: number) => { topic: string; qos: 0 | 1 }[] },
): Promise<{ clients: LeanMqttClient[]; ms: number }> {
  const clients = new Array<LeanMqttClient>(count);
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const client = await LeanMqttClient.connect({
        host: '127.0.0.1',
        port: target.started.port,
        ca: target.started.caPem,
        servername: 'localhost',
        clean: false,
        ...credentials(target, index),
      });
      const filters = options.filters(index);
      if (filters.length > 0) await client.subscribe(filters);
      clients[index] = client;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, worker));
  return { clients, ms: performance.now() - start };
}

/** Closes every client (DISCONNECT), at most 200 at a time. */
export async function closeFleet(clients: readonly (LeanMqttClient | undefined)[]): Promise<void> {
  for (let i = 0; i < clients.length; i += 200) {
    await Promise.all(clients.slice(i, i + 200).map((client) => client?.end()));
  }
}

/** The number after `$rid=` in a topic, or NaN. */
export function ridOf(topic: string): number {
  const at = topic.indexOf('$rid=');
  return at < 0 ? Number.NaN : Number.parseInt(topic.slice(at + 5), 10);
}
