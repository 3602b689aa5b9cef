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

describe('C2dService HTTPS locks', () => {
  const MINUTE = 60_000;

  it('locks the oldest message, counts the delivery and hides it from MQTT and other receivers while locked', async () => {
    await c2d.send('dev1', { body: 'a', messageId: 'a' });
    await c2d.send('dev1', { body: 'b', messageId: 'b' });
    const first = await c2d.lock('dev1', MINUTE);
    expect(first).toMatchObject({ message: { messageId: 'a', deliveryCount: 1 }, lockedUntil: '2026-01-01T00:01:00.000Z' });
    expect(first?.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(state.c2dQueues.dev1?.[0]?.deliveryCount).toBe(1);
    expect((await c2d.next('dev1'))?.messageId).toBe('b');
    expect(await c2d.markDelivered('dev1', 'a')).toBe(false);
    expect((await c2d.lock('dev1', MINUTE))?.message.messageId).toBe('b');
    expect(await c2d.lock('dev1', MINUTE)).toBeUndefined();
    expect(c2d.pending('dev1')).toHaveLength(2);
  });

  it('completes with Success and rejects with Rejected feedback; a second settle with the same token is 412 DeviceMessageLockLost', async () => {
    await c2d.send('dev1', { body: 'a', messageId: 'a', ack: 'full' });
    await c2d.send('dev1', { body: 'b', messageId: 'b', ack: 'full' });
    const a = await c2d.lock('dev1', MINUTE);
    const b = await c2d.lock('dev1', MINUTE);
    await c2d.completeLocked('dev1', a?.lockToken ?? '');
    await c2d.rejectLocked('dev1', b?.lockToken ?? '');
    expect(c2d.pending('dev1')).toEqual([]);
    expect(settled).toEqual([
      { deviceId: 'dev1', messageId: 'a', outcome: 'Success' },
      { deviceId: 'dev1', messageId: 'b', outcome: 'Rejected' },
    ]);
    expect(c2d.takeFeedback().map((record) => [record.originalMessageId, record.statusCode])).toEqual([
      ['a', 'Success'],
      ['b', 'Rejected'],
    ]);
    await expect(c2d.completeLocked('dev1', a?.lockToken ?? '')).rejects.toMatchObject({ code: 'DeviceMessageLockLost', httpStatus: 412, errorCode: 412002 });
  });

  it('abandons: the message is visible again and the next receive sees a higher delivery count', async () => {
    await c2d.send('dev1', { body: 'a', messageId: 'a' });
    const first = await c2d.lock('dev1', MINUTE);
    await c2d.abandonLocked('dev1', first?.lockToken ?? '');
    await expect(c2d.abandonLocked('dev1', first?.lockToken ?? '')).rejects.toMatchObject({ code: 'DeviceMessageLockLost' });
    expect((await c2d.next('dev1'))?.messageId).toBe('a');
    const second = await c2d.lock('dev1', MINUTE);
    expect(second).toMatchObject({ message: { messageId: 'a', deliveryCount: 2 } });
    expect(second?.lockToken).not.toBe(first?.lockToken);
  });

  it('lets a lock lapse: the message is visible again and the old token is refused', async () => {
    await c2d.send('dev1', { body: 'a', messageId: 'a' });
    const first = await c2d.lock('dev1', 10_000);
    clock.advance(9_999);
    expect(await c2d.next('dev1')).toBeUndefined();
    clock.advance(1);
    expect((await c2d.next('dev1'))?.messageId).toBe('a');
    await expect(c2d.completeLocked('dev1', first?.lockToken ?? '')).rejects.toMatchObject({ code: 'DeviceMessageLockLost' });
    expect(c2d.pending('dev1')).toHaveLength(1);
  });

  it('refuses a lock token on another device and a token for a message that left the queue', async () => {
    await registry.create({ deviceId: 'dev2' });
    await c2d.send('dev1', { body: 'a', messageId: 'a' });
    const lock = await c2d.lock('dev1', MINUTE);
    await expect(c2d.completeLocked('dev2', lock?.lockToken ?? '')).rejects.toMatchObject({ code: 'DeviceMessageLockLost' });
    await c2d.purge('dev1');
    await expect(c2d.completeLocked('dev1', lock?.lockToken ?? '')).rejects.toMatchObject({ code: 'DeviceMessageLockLost' });
  });

  it('shares the delivery-count limit with MQTT: the eleventh delivery dead-letters the message', async () => {
    await c2d.send('dev1', { body: 'a', messageId: 'a', ack: 'negative' });
    for (let i = 0; i < C2D_LIMITS.maxDeliveryCount - 1; i++) {
      const lock = await c2d.lock('dev1', MINUTE);
      await c2d.abandonLocked('dev1', lock?.lockToken ?? '');
    }
    expect(await c2d.markDelivered('dev1', 'a')).toBe(true);
    expect(state.c2dQueues.dev1?.[0]?.deliveryCount).toBe(C2D_LIMITS.maxDeliveryCount);
    expect(await c2d.lock('dev1', MINUTE)).toBeUndefined();
    expect(settled).toEqual([{ deviceId: 'dev1', messageId: 'a', outcome: 'DeliveryCountExceeded' }]);
  });

  it('refuses an unknown device and clamps the lock time to 1..300 s', async () => {
    await expect(c2d.lock('ghost', MINUTE)).rejects.toMatchObject({ code: 'DeviceNotFound' });
    await c2d.send('dev1', { body: 'a', messageId: 'a' });
    expect((await c2d.lock('dev1', 10 * MINUTE))?.lockedUntil).toBe('2026-01-01T00:05:00.000Z');
  });
});
