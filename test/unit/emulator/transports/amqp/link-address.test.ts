import { describe, expect, it } from 'vitest';

import { parseDeviceLinkAddress } from '../../../../../emulator/transports/amqp/device/link-address.js';

describe('device link addresses (iothub-protocol-2.md §3.3)', () => {
  it('names the identity and the feature, by our role for the two meanings of …/messages/events', () => {
    expect(parseDeviceLinkAddress('/devices/d1/messages/events', 'receiver')).toEqual({ address: { deviceId: 'd1' }, kind: 'telemetry' });
    expect(parseDeviceLinkAddress('/devices/d1/modules/m1/messages/events', 'receiver')).toEqual({ address: { deviceId: 'd1', moduleId: 'm1' }, kind: 'telemetry' });
    expect(parseDeviceLinkAddress('/devices/d1/modules/m1/messages/events', 'sender')).toEqual({ address: { deviceId: 'd1', moduleId: 'm1' }, kind: 'moduleInput' });
    expect(parseDeviceLinkAddress('/devices/d1/messages/devicebound', 'sender')).toEqual({ address: { deviceId: 'd1' }, kind: 'c2d' });
    expect(parseDeviceLinkAddress('/devices/d1/methods/devicebound', 'sender')?.kind).toBe('methods');
    expect(parseDeviceLinkAddress('/devices/d1/methods/devicebound', 'receiver')?.kind).toBe('methods');
    expect(parseDeviceLinkAddress('/devices/d1/modules/m1/twin', 'receiver')).toEqual({ address: { deviceId: 'd1', moduleId: 'm1' }, kind: 'twin' });
  });

  it('percent-decodes ids and matches the feature case-insensitively', () => {
    expect(parseDeviceLinkAddress('/devices/a%3Ab/Messages/Events', 'receiver')).toEqual({ address: { deviceId: 'a:b' }, kind: 'telemetry' });
  });

  it('refuses what is not a device link: module C2D, sending to devicebound, bad encoding, other paths', () => {
    expect(parseDeviceLinkAddress('/devices/d1/modules/m1/messages/devicebound', 'sender')).toBeUndefined();
    expect(parseDeviceLinkAddress('/devices/d1/messages/devicebound', 'receiver')).toBeUndefined();
    expect(parseDeviceLinkAddress('/devices/d1/messages/events', 'sender')).toBeUndefined();
    expect(parseDeviceLinkAddress('/devices/%E0%A4%A/twin', 'sender')).toBeUndefined();
    expect(parseDeviceLinkAddress('/messages/devicebound', 'receiver')).toBeUndefined();
    expect(parseDeviceLinkAddress('/devices/d1/somewhere', 'receiver')).toBeUndefined();
    expect(parseDeviceLinkAddress(undefined, 'receiver')).toBeUndefined();
  });
});
