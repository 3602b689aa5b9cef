import { describe, expect, it } from 'vitest';

import type { TwinAddress } from '../../../../emulator/model/twin-address.js';
import { DevicePortRelay, type DevicePort } from '../../../../emulator/services/device-port.js';

/** A transport with one connected identity, recording what reaches it. */
function transport(connected: string | undefined): DevicePort & { calls: string[] } {
  const calls: string[] = [];
  const is = (address: TwinAddress) => address.deviceId === connected;
  return {
    calls,
    isConnected: is,
    notifyDesired: (address) => void calls.push(`desired ${address.deviceId}`),
    deliverC2d: (deviceId) => void calls.push(`c2d ${deviceId}`),
    canReceiveMethods: is,
    invokeMethod: (address, name) => void calls.push(`method ${address.deviceId} ${name}`),
    disconnect: (address) => void calls.push(`disconnect ${address.deviceId}`),
    supersede: (address, newer) => void calls.push(`supersede ${address.deviceId} ${String((newer as { id: string }).id)}`),
  };
}

describe('the device port relay (one port over every transport)', () => {
  it('reaches an identity on whichever transport holds it, and only there for methods', () => {
    const relay = new DevicePortRelay();
    const mqtt = transport('on-mqtt');
    const amqp = transport('on-amqp');
    relay.bind(mqtt);
    relay.bind(amqp);
    expect(relay.isConnected({ deviceId: 'on-amqp' })).toBe(true);
    expect(relay.isConnected({ deviceId: 'nobody' })).toBe(false);
    relay.invokeMethod({ deviceId: 'on-amqp' }, 'reboot', '{}', '1');
    expect(amqp.calls).toEqual(['method on-amqp reboot']);
    expect(mqtt.calls).toEqual([]);
    relay.notifyDesired({ deviceId: 'on-mqtt' }, {}, 2);
    expect(mqtt.calls).toContain('desired on-mqtt');
  });

  it('claims an identity for a new connection on every transport, and unbinds', () => {
    const relay = new DevicePortRelay();
    const mqtt = transport(undefined);
    const amqp = transport(undefined);
    relay.bind(mqtt);
    const unbind = relay.bind(amqp);
    relay.claim({ deviceId: 'd1' }, { id: 'new' });
    expect(mqtt.calls).toEqual(['supersede d1 new']);
    expect(amqp.calls).toEqual(['supersede d1 new']);
    unbind();
    relay.deliverC2d('d1');
    expect(mqtt.calls).toContain('c2d d1');
    expect(amqp.calls).not.toContain('c2d d1');
  });
});
