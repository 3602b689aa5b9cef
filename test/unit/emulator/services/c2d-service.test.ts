import { beforeEach, describe, expect, it } from 'vitest';

import type { HubEventBus, HubEvents } from '../../../../emulator/events.js';
import { C2D_LIMITS } from '../../../../emulator/services/c2d-rules.js';
import { C2dService } from '../../../../emulator/services/c2d-service.js';
import type { RegistryService } from '../../../../emulator/services/registry-service.js';
import type { HubState } from '../../../../emulator/model/hub-state.js';
import { DevicePortRelay } from '../../../../emulator/services/device-port.js';
import { ManualClock } from '../../../../emulator/util/clock.js';
import { serviceHarness } from '../../../helpers/service-harness.js';

let state: HubState;
let clock: ManualClock;
let events: HubEventBus;
let registry: RegistryService;
let c2d: C2dService;
let settled: HubEvents['c2dSettled'][];

beforeEach(async () => {
  clock = new ManualClock('2026-01-01T00:00:00Z');
  const hub = await serviceHarness({ clock });
  ({ state, events, registry } = hub);
  await registry.create({ deviceId: 'dev1' });
  c2d = new C2dService(hub.data, registry, clock, events, new DevicePortRelay());
  settled = [];
  events.on('c2dSettled', (event) => settled.push(event));
});

describe('C2dService', () => {
  it('queues a message with its system properties in the hub state and counts it in the twin', async () => {
    const message = await c2d.send('dev1', { body: 'hi', messageId: 'm1', correlationId: 'c1', contentType: 'text/plain', properties: { k: 'v' } });
    expect(message).toMatchObject({
      messageId: 'm1',
      body: Buffer.from('hi').toString('base64'),
      system: { to: '/devices/dev1/messages/devicebound', cid: 'c1', ct: 'text/plain' },
      application: { k: 'v' },
      ack: 'none',
      enqueuedTime: '2026-01-01T00:00:00.000Z',
      expiryTime: '2026-01-01T01:00:00.000Z',
    });
    expect(state.c2dQueues.dev1).toHaveLength(1);
    expect(registry.runtime('dev1').cloudToDeviceMessageCount).toBe(1);
  });

  it('generates a message id when the sender gives none', async () => {
    expect((await c2d.send('dev1', { body: 'x' })).messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses the 51st pending message with 403004 and a body over 64 KB with 413', async () => {
    for (let i = 0; i < C2D_LIMITS.maxQueueDepth; i++) await c2d.send('dev1', { body: String(i) });
    await expect(c2d.send('dev1', { body: 'one more' })).rejects.toMatchObject({ code: 'DeviceMaximumQueueDepthExceeded', httpStatus: 403, errorCode: 403004 });
    await expect(c2d.send('dev1', { body: Buffer.alloc(64 * 1024 + 1) })).rejects.toMatchObject({ code: 'MessageTooLarge', httpStatus: 413 });
    expect(c2d.pending('dev1')).toHaveLength(50);
  });

  it('refuses unknown devices and bad iothub-ack values', async () => {
    await expect(c2d.send('ghost', { body: 'x' })).rejects.toMatchObject({ code: 'DeviceNotFound' });
    await expect(c2d.send('dev1', { body: 'x', ack: 'sometimes' as never })).rejects.toMatchObject({ code: 'ArgumentInvalid' });
  });

  it('hands out the oldest message and removes it on completion, with Success feedback for positive acks', async () => {
    await c2d.send('dev1', { body: 'a', messageId: 'a', ack: 'positive' });
    await c2d.send('dev1', { body: 'b', messageId: 'b' });
    expect((await c2d.next('dev1'))?.messageId).toBe('a');
    expect(await c2d.complete('dev1', 'a')).toBe(true);
    expect(await c2d.complete('dev1', 'a')).toBe(false);
    expect((await c2d.next('dev1'))?.messageId).toBe('b');
    expect(c2d.takeFeedback()).toMatchObject([{ originalMessageId: 'a', statusCode: 'Success', deviceId: 'dev1', deviceGenerationId: registry.get('dev1').generationId }]);
    expect(c2d.takeFeedback()).toEqual([]);
    expect(settled).toEqual([{ deviceId: 'dev1', messageId: 'a', outcome: 'Success' }]);
  });

  it('expires messages after their TTL (default 1 h, capped at 2 days) with Expired feedback for negative acks', async () => {
    await c2d.send('dev1', { body: 'a', messageId: 'a', ack: 'negative' });
    const far = await c2d.send('dev1', { body: 'b', messageId: 'b', expiryTime: new Date('2026-02-01T00:00:00Z') });
    expect(far.expiryTime).toBe('2026-01-03T00:00:00.000Z');
    clock.advance(60 * 60 * 1000);
    expect(c2d.pending('dev1').map((m) => m.messageId)).toEqual(['b']);
    expect(registry.runtime('dev1').cloudToDeviceMessageCount).toBe(1);
    expect((await c2d.next('dev1'))?.messageId).toBe('b');
    expect(c2d.takeFeedback()).toMatchObject([{ originalMessageId: 'a', statusCode: 'Expired' }]);
  });

  it('dead-letters a message delivered more than the maximum number of times', async () => {
    await c2d.send('dev1', { body: 'a', messageId: 'a', ack: 'full' });
    for (let i = 0; i < C2D_LIMITS.maxDeliveryCount; i++) expect(await c2d.markDelivered('dev1', 'a')).toBe(true);
    expect(await c2d.markDelivered('dev1', 'a')).toBe(false);
    expect(c2d.pending('dev1')).toEqual([]);
    expect(c2d.takeFeedback()).toMatchObject([{ statusCode: 'DeliveryCountExceeded' }]);
  });

  it('purges the queue and drops it with the device', async () => {
    await c2d.send('dev1', { body: 'a' });
    await c2d.send('dev1', { body: 'b' });
    expect(await c2d.purge('dev1')).toBe(2);
    expect(state.c2dQueues).toEqual({});
    await c2d.send('dev1', { body: 'c' });
    await registry.delete('dev1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.c2dQueues).toEqual({});
  });
});
