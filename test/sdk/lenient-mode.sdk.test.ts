import { readFile } from 'node:fs/promises';
import { request } from 'node:https';

import deviceSdk from 'azure-iot-device';
import { afterEach, describe, expect, it } from 'vitest';

import { createSasToken } from '../../emulator/auth/sas-token.js';
import { LENIENCIES } from '../../emulator/services/leniency.js';
import { openAmqpDevice } from '../helpers/amqp-device.js';
import { policyToken, rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { RESOURCE_GROUP, SUBSCRIPTION } from '../helpers/arm-client.js';

// Strict (default) and lenient mode (services/leniency.ts): every leniency listed there is refused in strict mode and
// accepted in lenient mode, over real sockets (the device SDK for D2C over AMQP).

let hub: TestHub | undefined;

afterEach(async () => {
  await hub?.dispose();
  hub = undefined;
});

function deviceToken(test: TestHub, deviceId: string): string {
  return createSasToken({
    resourceUri: `${test.hub.info.hostName}/devices/${deviceId}`,
    base64Key: test.hub.registry.get(deviceId).authentication.symmetricKey.primaryKey,
    expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
  });
}

/** A Resource Manager GET without api-version (the rest helper always adds one). */
async function armWithoutApiVersion(test: TestHub): Promise<number> {
  const ca = await readFile(test.hub.info.caCertPath, 'utf8');
  const path = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Devices/IotHubs/localhost/certificates`;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', servername: 'localhost', port: test.hub.info.ports.https ?? 0, method: 'GET', path, ca, headers: { authorization: `Bearer ${policyToken(test.hub, 'iothubowner')}` } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const BIG = 512 * 1024;

describe('strict mode (the default)', () => {
  it('refuses every leniency as IoT Hub does', async () => {
    expect(LENIENCIES.map((entry) => entry.id)).toEqual(['d2c-size', 'arm-api-version']);
    hub = await startTestHub({ ports: { https: 0 } });
    await hub.hub.registry.create({ deviceId: 'd' });
    const big = await rest(hub.hub, { method: 'POST', path: '/devices/d/messages/events', body: Buffer.alloc(BIG, 97), authorization: deviceToken(hub, 'd') });
    expect(big.status).toBe(413);
    expect(await armWithoutApiVersion(hub)).toBe(400);
  });
});

describe('lenient mode', () => {
  it('accepts a 512 KB message over HTTPS and over AMQP with the device SDK, and Resource Manager calls without api-version', async () => {
    hub = await startTestHub({ lenient: true, ports: { https: 0 } });
    await hub.hub.registry.create({ deviceId: 'd' });
    const big = await rest(hub.hub, { method: 'POST', path: '/devices/d/messages/events', body: Buffer.alloc(BIG, 97), authorization: deviceToken(hub, 'd') });
    expect(big.status).toBe(204);
    // The MQTT device SDK refuses bodies over 256 KiB itself; its AMQP transport sends them.
    const client = await openAmqpDevice(hub.hub, 'd');
    try {
      await client.sendEvent(new deviceSdk.Message(Buffer.alloc(BIG, 98)));
    } finally {
      await client.close();
    }
    const sizes = hub.hub.telemetry.recent('d').map((message) => message.bodyBytes);
    expect(sizes).toEqual([BIG, BIG]);
    // Still bounded: above 1 MiB is refused.
    const tooBig = await rest(hub.hub, { method: 'POST', path: '/devices/d/messages/events', body: Buffer.alloc(1024 * 1024 + 1, 97), authorization: deviceToken(hub, 'd') });
    expect(tooBig.status).toBe(413);
    expect(await armWithoutApiVersion(hub)).toBe(200);
  }, 60_000);
});
