import deviceSdk from 'azure-iot-device';
import rhea, { type Connection } from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDevice } from '../helpers/device-sdk.js';
import { readEvents } from '../helpers/event-hubs.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// The Event Hubs development-emulator form (iothub-protocol-2.md §5.2, checklist 155): `UseDevelopmentEmulator=true`
// makes @azure/event-hubs speak plain AMQP, so the hub's optional loopback port serves the built-in endpoint there,
// and nothing else.

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ ports: { amqpDev: 0 } });
  await hub.hub.registry.create({ deviceId: 'dev-port-device' });
});

afterAll(async () => {
  await hub?.dispose();
});

/** A plain AMQP connection to the development port. */
function connectPlain(): Promise<Connection> {
  const connection = rhea.create_container().connect({ host: '127.0.0.1', port: hub.hub.info.ports.amqpDev ?? 0, reconnect: false } as never);
  connection.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    connection.once('connection_open', () => resolve(connection));
    connection.once('disconnected', () => reject(new Error('disconnected')));
  });
}

describe('the UseDevelopmentEmulator connection string', () => {
  it('is printed for the port and reads what a device sent with the unmodified EventHubConsumerClient', async () => {
    const port = hub.hub.info.ports.amqpDev;
    expect(port).toBeGreaterThan(0);
    const connectionString = hub.hub.info.eventHub.developmentConnectionString;
    expect(connectionString).toBe(`Endpoint=sb://localhost:${port};SharedAccessKeyName=iothubowner;SharedAccessKey=${/SharedAccessKey=([^;]+)/.exec(hub.hub.info.serviceConnectionString)?.[1] ?? 'missing'};EntityPath=${hub.hub.info.eventHub.name};UseDevelopmentEmulator=true`);

    const device = await openDevice(hub.hub, 'dev-port-device');
    try {
      await device.sendEvent(new deviceSdk.Message(JSON.stringify({ plain: true })));
    } finally {
      await device.close();
    }
    const result = await readEvents(hub.hub, { count: 1, timeoutMs: 10_000 }, connectionString);
    expect(result.failed).toBeUndefined();
    expect(result.events?.[0]?.body).toEqual({ plain: true });
  });

  it('refuses device links and C2D on the plain port even with a valid device token', async () => {
    const connection = await connectPlain();
    try {
      const refused = (open: () => { once: (event: string, listener: (context: { sender?: { error?: unknown }; receiver?: { error?: unknown } }) => void) => void }) =>
        new Promise<unknown>((resolve) => {
          const link = open();
          link.once('sender_close', (context) => resolve(context.sender?.error));
          link.once('receiver_close', (context) => resolve(context.receiver?.error));
        });
      const telemetry = await refused(() => connection.open_sender({ target: { address: '/devices/dev-port-device/messages/events' } }) as never);
      expect(telemetry).toMatchObject({ condition: 'amqp:not-allowed' });
      const c2d = await refused(() => connection.open_sender({ target: { address: '/messages/devicebound' } }) as never);
      expect(c2d).toMatchObject({ condition: 'amqp:not-allowed' });
    } finally {
      connection.close();
    }
  });
});
