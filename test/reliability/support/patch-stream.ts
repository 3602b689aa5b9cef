import { readFile } from 'node:fs/promises';

import mqtt, { type MqttClient } from 'mqtt';

import { createSasToken } from '../../../emulator/auth/sas-token.js';
import { parseConnectionString } from '../../../emulator/auth/connection-string.js';
import type { HubProcess } from '../../helpers/hub-process.js';

/** A device streaming reported patches to a hub in a child process. */
export interface PatchStream {
  readonly client: MqttClient;
  /** Indexes answered 204 so far (live). */
  readonly acked: Set<number>;
  /** Resolves once `count` are acknowledged or the connection closed. */
  acknowledged(count: number): Promise<void>;
}

/** Publishes `total` reported patches `{k<i>: i}`, at most `window` unanswered at a time, and tracks the 204s. */
export async function streamPatches(hub: HubProcess, deviceId: string, total: number, window = total): Promise<PatchStream> {
  const parts = parseConnectionString(hub.info.devices[deviceId] ?? '');
  const client = await mqtt.connectAsync({
    host: '127.0.0.1',
    port: hub.info.ports.mqtts,
    protocol: 'mqtts',
    ca: await readFile(hub.info.caCertPath, 'utf8'),
    servername: 'localhost',
    clientId: deviceId,
    username: `localhost/${deviceId}/?api-version=2021-04-12`,
    password: createSasToken({
      resourceUri: `localhost/devices/${deviceId}`,
      base64Key: parts.SharedAccessKey ?? '',
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 600,
    }),
    clean: false,
    reconnectPeriod: 0,
  });
  await client.subscribeAsync('$iothub/twin/res/#');
  const acked = new Set<number>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const settle = (closed: boolean) => {
    for (const waiter of waiters.splice(0)) {
      if (closed || acked.size >= waiter.count) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  let sent = 0;
  const send = () => {
    if (sent >= total || client.disconnected) return;
    const index = sent++;
    client.publish(`$iothub/twin/PATCH/properties/reported/?$rid=${index}`, JSON.stringify({ [`k${index}`]: index }));
  };
  client.on('message', (topic) => {
    const match = /^\$iothub\/twin\/res\/(\d+)\/\?\$rid=(\d+)/.exec(topic);
    if (match?.[1] === '204') acked.add(Number(match[2]));
    settle(false);
    send();
  });
  client.on('close', () => settle(true));
  for (let i = 0; i < window; i++) send();
  return {
    client,
    acked,
    acknowledged: (count) =>
      new Promise((resolve) => {
        waiters.push({ count, resolve });
        settle(client.disconnected);
      }),
  };
}
