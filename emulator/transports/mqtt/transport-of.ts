import type { Client } from 'aedes';

import type { DeviceTransport } from '../../model/device.js';

/** MQTT over WebSockets reaches aedes with the upgrade request (`client.req`); TLS and TCP streams come without one. */
export function mqttTransportOf(client: Pick<Client, 'req'>): DeviceTransport {
  return client.req === undefined ? 'mqtt' : 'mqtt-ws';
}

/** The traffic-event field that marks an exchange on a WebSocket connection (absent otherwise). */
export function webSocketFlag(client: Pick<Client, 'req'>): { readonly webSocket?: true } {
  return client.req === undefined ? {} : { webSocket: true };
}
