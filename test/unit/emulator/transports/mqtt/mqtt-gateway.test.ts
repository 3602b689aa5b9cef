import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { MqttGateway } from '../../../../../emulator/transports/mqtt/mqtt-gateway.js';
import { connectDevice, createTestGateway, subscribe, type ServiceCall } from './gateway-harness.js';

// The gateway driven over in-memory streams with mqtt-packet, no sockets (house-style H23, as aedes' own tests).

let calls: ServiceCall[];
let gateway: MqttGateway;

beforeEach(async () => {
  calls = [];
  gateway = await createTestGateway(calls);
});

afterEach(async () => {
  await gateway.close();
});

describe('CONNECT', () => {
  it('accepts a good SAS token with CONNACK 0 and tracks the connection', async () => {
    const { connack } = await connectDevice(gateway, 'dev1');
    expect(connack).toMatchObject({ cmd: 'connack', returnCode: 0 });
    // Tracked at aedes' `connackSent`, which follows the CONNACK's write.
    await expect.poll(() => gateway.connectedCount).toBe(1);
    expect(gateway.devicePort.isConnected({ deviceId: 'dev1' })).toBe(true);
    expect(calls).toContainEqual(['markConnected', 'dev1']);
    expect(calls).toContainEqual(['setModelId', 'dev1', '']);
  });

  it('answers an authenticator that throws with CONNACK 5, logs it as a bug, and keeps serving other devices', async () => {
    const { client, connack } = await connectDevice(gateway, 'broken');
    expect(connack).toMatchObject({ cmd: 'connack', returnCode: 5 });
    await client.closed;
    expect((await connectDevice(gateway, 'dev1')).connack).toMatchObject({ returnCode: 0 });
  });

  it('refuses a bad SAS token with CONNACK 5 and closes the connection', async () => {
    const { client, connack } = await connectDevice(gateway, 'dev1', 'SharedAccessSignature sig=bad');
    expect(connack).toMatchObject({ cmd: 'connack', returnCode: 5 });
    await client.closed;
    expect(gateway.connectedCount).toBe(0);
  });

  it.each(['+', 'dev1/+', 'dev1/#'])('refuses the ClientId %s, which would act as a wildcard, with CONNACK 5 even with good credentials', async (clientId) => {
    const { client, connack } = await connectDevice(gateway, clientId);
    expect(connack).toMatchObject({ cmd: 'connack', returnCode: 5 });
    await client.closed;
  });

  it('refuses a disabled device with CONNACK 3', async () => {
    const { connack } = await connectDevice(gateway, 'disabled');
    expect(connack).toMatchObject({ cmd: 'connack', returnCode: 3 });
  });
});

describe('SUBSCRIBE', () => {
  it("grants the device's own topic families at QoS 1 and refuses a foreign device's topic with 0x80", async () => {
    const { client } = await connectDevice(gateway, 'dev1');
    const granted = await subscribe(client, ['$iothub/twin/res/#', 'devices/dev1/messages/devicebound/#', 'devices/other/messages/devicebound/#', 'devices/#']);
    expect(granted).toEqual([1, 1, 0x80, 0x80]);
  });
});

describe('PUBLISH', () => {
  it('answers a twin GET on res/200 with the same $rid and the twin', async () => {
    const { client } = await connectDevice(gateway, 'dev1');
    await subscribe(client, ['$iothub/twin/res/#']);
    client.send({ cmd: 'publish', topic: '$iothub/twin/GET/?$rid=a%2F1', payload: Buffer.alloc(0), qos: 0, retain: false, dup: false });
    const reply = await client.next();
    expect(reply).toMatchObject({ cmd: 'publish', topic: '$iothub/twin/res/200/?$rid=a%2F1', qos: 0 });
    if (reply.cmd !== 'publish') throw new Error('expected PUBLISH');
    expect(JSON.parse(reply.payload.toString())).toEqual({ desired: { $version: 3 }, reported: { $version: 7 } });
    expect(calls).toContainEqual(['getDeviceTwin', 'dev1']);
  });

  it('answers a reported PATCH with res/204 and the new $version', async () => {
    const { client } = await connectDevice(gateway, 'dev1');
    await subscribe(client, ['$iothub/twin/res/#']);
    const payload = Buffer.from('{"temp":21}');
    client.send({ cmd: 'publish', topic: '$iothub/twin/PATCH/properties/reported/?$rid=9', payload, qos: 0, retain: false, dup: false });
    expect(await client.next()).toMatchObject({ cmd: 'publish', topic: '$iothub/twin/res/204/?$rid=9&$version=8' });
    expect(calls).toContainEqual(['patchReported', 'dev1', { temp: 21 }, { kind: 'device', deviceId: 'dev1' }]);
  });

  it('closes the connection on a publish to a forbidden topic', async () => {
    const { client } = await connectDevice(gateway, 'dev1');
    client.send({ cmd: 'publish', topic: 'devices/other/messages/events/', payload: Buffer.from('x'), qos: 0, retain: false, dup: false });
    await client.closed;
    expect(gateway.connectedCount).toBe(0);
    expect(calls).toContainEqual(['markDisconnected', 'dev1']);
  });

  it('closes the connection on a QoS 2 publish', async () => {
    const { client } = await connectDevice(gateway, 'dev1');
    client.send({ cmd: 'publish', topic: 'devices/dev1/messages/events/', payload: Buffer.from('x'), qos: 2, messageId: 1, retain: false, dup: false });
    await client.closed;
  });
});

describe('device port', () => {
  it('sends a method request to a subscribed device and hands its answer to MethodService.complete', async () => {
    const { client } = await connectDevice(gateway, 'dev1');
    expect(gateway.devicePort.canReceiveMethods({ deviceId: 'dev1' })).toBe(false);
    await subscribe(client, ['$iothub/methods/POST/#']);
    expect(calls).toContainEqual(['notifyReady', 'dev1']);
    expect(gateway.devicePort.canReceiveMethods({ deviceId: 'dev1' })).toBe(true);
    gateway.devicePort.invokeMethod({ deviceId: 'dev1' }, 'reboot', '{"delay":1}', '1f');
    expect(await client.next()).toMatchObject({ cmd: 'publish', topic: '$iothub/methods/POST/reboot/?$rid=1f' });
    client.send({ cmd: 'publish', topic: '$iothub/methods/res/200/?$rid=1f', payload: Buffer.from('"ok"'), qos: 0, retain: false, dup: false });
    await expect.poll(() => calls.find((call) => call[0] === 'methodComplete')).toEqual(['methodComplete', { deviceId: 'dev1' }, '1f', 200, '"ok"']);
  });

  it('delivers a desired change to a subscribed device and disconnects on request', async () => {
    const { client } = await connectDevice(gateway, 'dev1');
    await subscribe(client, ['$iothub/twin/PATCH/properties/desired/#']);
    gateway.devicePort.notifyDesired({ deviceId: 'dev1' }, { fan: true, $version: 4 }, 4);
    const patch = await client.next();
    expect(patch).toMatchObject({ cmd: 'publish', topic: '$iothub/twin/PATCH/properties/desired/?$version=4' });
    gateway.devicePort.disconnect({ deviceId: 'dev1' });
    await client.closed;
    expect(gateway.devicePort.isConnected({ deviceId: 'dev1' })).toBe(false);
  });
});
