import { describe, expect, it } from 'vitest';

import {
  desiredPatchTopic,
  isAllowedSubscription,
  methodRequestTopic,
  parseDeviceTopic,
  twinResponseTopic,
} from '../../../../../emulator/transports/mqtt/topics.js';

const dev = { deviceId: 'dev1' };

describe('$iothub topic grammar (§3.4, §4.1)', () => {
  it.each([
    ['$iothub/twin/GET/?$rid=1', { kind: 'twinGet', rid: '1' }],
    ['$iothub/twin/GET/?$rid=get_twin', { kind: 'twinGet', rid: 'get_twin' }],
    ['$iothub/twin/GET/?$rid=5c6a%2D1', { kind: 'twinGet', rid: '5c6a%2D1' }],
    ['$iothub/twin/PATCH/properties/reported/?$rid=r1', { kind: 'twinPatchReported', rid: 'r1' }],
    ['$iothub/twin/PATCH/properties/reported/?$rid=r1&$version=4', { kind: 'twinPatchReported', rid: 'r1', version: '4' }],
    ['$iothub/methods/res/200/?$rid=7', { kind: 'methodResponse', rid: '7', status: 200 }],
    ['$iothub/methods/res/500/?$rid=ab', { kind: 'methodResponse', rid: 'ab', status: 500 }],
    ['devices/dev1/messages/events/', { kind: 'telemetry', propertyBag: '' }],
    ['devices/dev1/messages/events', { kind: 'telemetry', propertyBag: '' }],
    ['devices/dev1/messages/events/%24.ct=a&k=v', { kind: 'telemetry', propertyBag: '%24.ct=a&k=v' }],
  ])('parses %s', (topic, expected) => {
    expect(parseDeviceTopic(topic, dev)).toEqual(expected);
  });

  it.each([
    '$iothub/twin/GET/',
    '$iothub/twin/PATCH/properties/desired/?$rid=1',
    '$iothub/methods/res/abc/?$rid=1',
    '$iothub/methods/res/200/?x=1',
    'devices/dev2/messages/events/',
    'devices/dev1/messages/devicebound/',
    'anything',
  ])('refuses %s', (topic) => {
    expect(parseDeviceTopic(topic, dev).kind).toBe('forbidden');
  });

  it('allows only the device\'s own subscription families', () => {
    expect(isAllowedSubscription('$iothub/twin/res/#', dev)).toBe(true);
    expect(isAllowedSubscription('$iothub/twin/PATCH/properties/desired/#', dev)).toBe(true);
    expect(isAllowedSubscription('$iothub/methods/POST/#', dev)).toBe(true);
    expect(isAllowedSubscription('devices/dev1/messages/devicebound/#', dev)).toBe(true);
    expect(isAllowedSubscription('devices/dev2/messages/devicebound/#', dev)).toBe(false);
    expect(isAllowedSubscription('$iothub/#', dev)).toBe(false);
    expect(isAllowedSubscription('#', dev)).toBe(false);
  });

  it('formats the hub topics with a slash before ? and literal $ (§4.1)', () => {
    expect(twinResponseTopic(200, 'x')).toBe('$iothub/twin/res/200/?$rid=x');
    expect(twinResponseTopic(204, 'x', 3)).toBe('$iothub/twin/res/204/?$rid=x&$version=3');
    expect(desiredPatchTopic(5)).toBe('$iothub/twin/PATCH/properties/desired/?$version=5');
    expect(methodRequestTopic('reboot', '1')).toBe('$iothub/methods/POST/reboot/?$rid=1');
  });
});
