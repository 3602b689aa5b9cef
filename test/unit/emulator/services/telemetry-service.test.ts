import { describe, expect, it } from 'vitest';

import { HubEventBus } from '../../../../emulator/events.js';
import { requestContext } from '../../../../emulator/services/request-contexts.js';
import { TelemetryService, TELEMETRY_PREVIEW_BYTES } from '../../../../emulator/services/telemetry-service.js';
import { ManualClock } from '../../../../emulator/util/clock.js';

const properties = { system: { ct: 'application/json' }, application: { k: 'v' } };
const ctx = requestContext(new ManualClock('2026-01-01T00:00:00Z'), { principal: { kind: 'device', deviceId: 'a' }, operation: 'telemetry', protocol: 'mqtt' });

describe('TelemetryService', () => {
  it('keeps the last N messages per device, decoded, and tells listeners', () => {
    const events = new HubEventBus();
    const telemetry = new TelemetryService(events, new ManualClock('2026-01-01T00:00:00Z'), 3);
    const heard: number[] = [];
    telemetry.onMessage((message) => heard.push(message.sequenceNumber));
    const emitted: string[] = [];
    events.on('telemetryReceived', ({ deviceId }) => emitted.push(deviceId));
    for (let i = 1; i <= 5; i++) telemetry.receive(ctx, { deviceId: 'a' }, properties, Buffer.from(`{"n":${i}}`));
    telemetry.receive(ctx, { deviceId: 'b' }, properties, Buffer.from('x'));
    expect(emitted).toEqual(['a', 'a', 'a', 'a', 'a', 'b']);
    expect(telemetry.recent('a').map((m) => m.bodyPreview)).toEqual(['{"n":3}', '{"n":4}', '{"n":5}']);
    expect(telemetry.recent('a')[0]).toMatchObject({ deviceId: 'a', properties, bodyBytes: 7, truncated: false, enqueuedTime: '2026-01-01T00:00:00.000Z' });
    expect(telemetry.all().map((m) => m.sequenceNumber)).toEqual([3, 4, 5, 6]);
    expect(heard).toEqual([1, 2, 3, 4, 5, 6]);
    events.emit('deviceDeleted', { deviceId: 'a' });
    expect(telemetry.recent('a')).toEqual([]);
  });

  it('cuts the body preview of large messages', () => {
    const events = new HubEventBus();
    const telemetry = new TelemetryService(events, new ManualClock());
    telemetry.receive(ctx, { deviceId: 'a' }, properties, Buffer.alloc(10_000, 0x61));
    expect(telemetry.recent('a')[0]).toMatchObject({ bodyBytes: 10_000, truncated: true });
    expect(telemetry.recent('a')[0]?.bodyPreview).toHaveLength(TELEMETRY_PREVIEW_BYTES);
  });
});
