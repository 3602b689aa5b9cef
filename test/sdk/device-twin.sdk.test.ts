import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { nextDesired, openDevice, updateReported, type DeviceClient } from '../helpers/device-sdk.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { waitForSubscription } from '../helpers/wait-for.js';

describe('the real azure-iot-device SDK over MQTT/TLS', () => {
  let hub: TestHub;
  let client: DeviceClient | undefined;

  beforeAll(async () => {
    hub = await startTestHub();
    await hub.hub.registry.create({ deviceId: 'thermostat-1' });
  });

  afterAll(async () => {
    await client?.close();
    await hub.dispose();
  });

  it('gets the twin of a fresh device with both versions at 1', async () => {
    client = await openDevice(hub.hub, 'thermostat-1');
    const twin = await client.getTwin();
    expect(twin.properties.desired.$version).toBe(1);
    expect(twin.properties.reported.$version).toBe(1);
  });

  it('stores a reported patch and shows it in the service twin with version 2', async () => {
    const twin = await client!.getTwin();
    await updateReported(twin, { temperature: 21.5, firmware: { version: '1.0.0' } });
    const serviceTwin = hub.hub.twins.getServiceTwin('thermostat-1') as { properties: { reported: Record<string, unknown> } };
    expect(serviceTwin.properties.reported.temperature).toBe(21.5);
    expect(serviceTwin.properties.reported.$version).toBe(2);
  });

  it('delivers a desired change made through the service layer to properties.desired', async () => {
    const twin = await client!.getTwin();
    const received = nextDesired(twin, 2);
    await waitForSubscription(hub.hub, 'thermostat-1', '$iothub/twin/PATCH/properties/desired/#');
    await hub.hub.twins.updateTwin('thermostat-1', { properties: { desired: { targetTemperature: 23 } } });
    const delta = await received;
    expect(delta).toMatchObject({ targetTemperature: 23, $version: 2 });
  });
});
