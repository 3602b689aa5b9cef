import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { HubEventBus } from '../../../../emulator/events.js';
import type { DevicePort } from '../../../../emulator/services/device-port.js';
import { MethodService, parseDevicePayload, type MethodInvocation } from '../../../../emulator/services/method-service.js';
import { serviceHarness } from '../../../helpers/service-harness.js';

interface Sent {
  deviceId: string;
  methodName: string;
  rid: string;
  payload: string;
}

let events: HubEventBus;
let methods: MethodService;
let online: boolean;
let sent: Sent[];

beforeEach(async () => {
  events = new HubEventBus();
  const { registry } = await serviceHarness({ events });
  await registry.create({ deviceId: 'dev1' });
  vi.useFakeTimers();
  online = true;
  sent = [];
  const devices: DevicePort = {
    isConnected: () => online,
    notifyDesired: () => undefined,
    deliverC2d: () => undefined,
    canReceiveMethods: () => online,
    invokeMethod: ({ deviceId }, methodName, payload, rid) => void sent.push({ deviceId, methodName, rid, payload }),
    disconnect: () => undefined,
    supersede: () => undefined,
  };
  methods = new MethodService(registry, devices);
});

afterEach(() => {
  methods.close();
  vi.useRealTimers();
});

const call = (overrides: Partial<MethodInvocation> = {}): MethodInvocation => ({
  deviceId: 'dev1',
  methodName: 'reboot',
  payload: { delay: 1 },
  responseTimeoutInSeconds: 30,
  connectTimeoutInSeconds: 0,
  ...overrides,
});

function respond(rid: string, status: number, payload: string): void {
  methods.complete({ deviceId: 'dev1' }, rid, status, Buffer.from(payload));
}

describe('MethodService', () => {
  it('sends the payload as JSON with a fresh $rid and resolves with the device status and payload', async () => {
    const result = methods.invoke(call());
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([{ deviceId: 'dev1', methodName: 'reboot', rid: '1', payload: '{"delay":1}' }]);
    respond('1', 500, '{"error":"boom"}');
    await expect(result).resolves.toEqual({ status: 500, payload: { error: 'boom' } });
  });

  it('rejects with 504 GatewayTimeout after responseTimeoutInSeconds and discards the late reply', async () => {
    const result = methods.invoke(call({ responseTimeoutInSeconds: 5 }));
    const settled = expect(result).rejects.toMatchObject({ code: 'GatewayTimeout', httpStatus: 504, errorCode: 504101 });
    await vi.advanceTimersByTimeAsync(4999);
    respond('999', 200, '{}');
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    expect(() => respond('1', 200, '{}')).not.toThrow();
  });

  it('rejects with 404 DeviceNotOnline at once when the device cannot receive and connectTimeout is 0', async () => {
    online = false;
    await expect(methods.invoke(call())).rejects.toMatchObject({ code: 'DeviceNotOnline', errorCode: 404103 });
    expect(sent).toEqual([]);
  });

  it('waits connectTimeoutInSeconds for the device to become ready', async () => {
    online = false;
    const result = methods.invoke(call({ connectTimeoutInSeconds: 10 }));
    await vi.advanceTimersByTimeAsync(3000);
    expect(sent).toEqual([]);
    online = true;
    methods.notifyReady('dev1');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    respond(sent[0]?.rid ?? '', 200, '');
    await expect(result).resolves.toEqual({ status: 200, payload: null });
  });

  it('gives up with DeviceNotOnline when the device does not come within connectTimeoutInSeconds', async () => {
    online = false;
    const result = methods.invoke(call({ connectTimeoutInSeconds: 2 }));
    const settled = expect(result).rejects.toMatchObject({ code: 'DeviceNotOnline' });
    await vi.advanceTimersByTimeAsync(2000);
    await settled;
  });

  it('answers DeviceNotFound for an unknown device', async () => {
    await expect(methods.invoke(call({ deviceId: 'ghost' }))).rejects.toMatchObject({ code: 'DeviceNotFound' });
  });

  it('keeps concurrent calls apart by $rid', async () => {
    const first = methods.invoke(call({ methodName: 'a' }));
    const second = methods.invoke(call({ methodName: 'b' }));
    await vi.advanceTimersByTimeAsync(0);
    respond('2', 202, '"second"');
    respond('1', 201, '"first"');
    await expect(first).resolves.toEqual({ status: 201, payload: 'first' });
    await expect(second).resolves.toEqual({ status: 202, payload: 'second' });
  });
});

describe('parseDevicePayload', () => {
  it('maps empty to null, JSON to its value and anything else to the text', () => {
    expect(parseDevicePayload(Buffer.alloc(0))).toBeNull();
    expect(parseDevicePayload(Buffer.from(' '))).toBeNull();
    expect(parseDevicePayload(Buffer.from('[1,2]'))).toEqual([1, 2]);
    expect(parseDevicePayload(Buffer.from('not json'))).toBe('not json');
  });
});
