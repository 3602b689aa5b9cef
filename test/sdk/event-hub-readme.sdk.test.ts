import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDevice } from '../helpers/device-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// The README's back-end example (assets/examples/read-telemetry.mjs) runs as printed: node, NODE_EXTRA_CA_CERTS and
// the connection string the hub prints, nothing else.

const EXAMPLE = fileURLToPath(new URL('../../assets/examples/read-telemetry.mjs', import.meta.url));

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 } });
});

afterAll(async () => {
  await hub?.dispose();
});

describe('the README example that reads telemetry with @azure/event-hubs', () => {
  it('prints the device id, body and properties of a message a device sent', async () => {
    await hub.hub.registry.create({ deviceId: 'readme-reader' });
    const device = await openDevice(hub.hub, 'readme-reader');
    try {
      const message = new deviceSdk.Message(JSON.stringify({ temperature: 21.5 }));
      message.properties.add('alert', 'none');
      await device.sendEvent(message);
    } finally {
      await device.close();
    }
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [EXAMPLE],
        { timeout: 30_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: hub.hub.info.caCertPath, EVENTHUB_CONNECTION_STRING: hub.hub.info.eventHub.connectionString, READ_SECONDS: '4' } },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      );
    });
    expect(stdout).toContain(`readme-reader: {"temperature":21.5} { alert: 'none' }`);
  });
});
