import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectRaw, nextMessage } from '../helpers/raw-mqtt.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

describe('MQTT listener sockets (TCP_NODELAY)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
    await hub.hub.registry.create({ deviceId: 'quick' });
  });
  afterAll(async () => {
    await hub.dispose();
  });

  it('answers sequential QoS 1 reported patches without a delayed-ACK stall (~40 ms each with Nagle on)', async () => {
    // A QoS 1 twin request makes the hub write two small packets back to back (PUBACK, then res/204). With Nagle's
    // algorithm the second waits for the device's delayed ACK: every request took ~44 ms before the fix.
    const client = await connectRaw(hub.hub, 'quick');
    await client.subscribeAsync('$iothub/twin/res/#');
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      const start = performance.now();
      const response = nextMessage(client, new RegExp(`^\\$iothub/twin/res/204/\\?\\$rid=n${i}&`));
      client.publish(`$iothub/twin/PATCH/properties/reported/?$rid=n${i}`, JSON.stringify({ n: i }), { qos: 1 });
      await response;
      times.push(performance.now() - start);
    }
    await client.endAsync();
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? Infinity;
    expect(median).toBeLessThan(25);
  });
});
