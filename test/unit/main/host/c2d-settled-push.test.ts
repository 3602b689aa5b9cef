import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Pushes } from '../../../../main/contract/index.js';
import type { EmulatorHost } from '../../../../main/emulator-host.js';
import { EventPump } from '../../../../main/host/event-pump.js';
import { handlerCalls } from '../../../helpers/handler-calls.js';
import { connectRaw } from '../../../helpers/raw-mqtt.js';
import { startStudioHost } from '../../../helpers/studio-host.js';
import { eventually } from '../../../helpers/wait-for.js';

let host: EmulatorHost;
let dispose: () => Promise<void>;
const { value } = handlerCalls(() => host);

beforeAll(async () => {
  ({ host, dispose } = await startStudioHost());
});
afterAll(() => dispose());

describe('the c2d.settled push', () => {
  it('tells the studio when a real MQTT device completed a C2D message it sent', async () => {
    const pushes: Pushes['c2d.settled'][] = [];
    const pump = new EventPump(host, (channel, payload) => channel === 'c2d.settled' && pushes.push(payload as Pushes['c2d.settled']), { intervalMs: 20 });
    await value('devices.create', { deviceId: 'c2d-settle' });
    const device = await connectRaw(host.requireRunning(), 'c2d-settle');
    try {
      const received = new Promise<string>((resolve) => device.on('message', (_topic, payload) => resolve(payload.toString())));
      await device.subscribeAsync('devices/c2d-settle/messages/devicebound/#', { qos: 1 });
      const { messageId } = await value('c2d.send', { deviceId: 'c2d-settle', body: 'blink' });
      expect(await received).toBe('blink');
      // mqtt.js PUBACKs the QoS 1 delivery, which completes the message.
      await eventually(() => pushes.length > 0, 5000, 'c2d.settled push');
      expect(pushes).toEqual([{ deviceId: 'c2d-settle', messageId, outcome: 'Success' }]);
    } finally {
      await device.endAsync();
      pump.dispose();
    }
  });
});
