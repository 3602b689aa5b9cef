import { describe, expect, it } from 'vitest';

import {
  methodResponseTopic,
  parseHubTopic,
  reportedPatchTopic,
  telemetryTopic,
  twinGetTopic,
} from '../../../../emulator/simulation/link-topics.js';

describe('device-side topics', () => {
  it('formats twin and method topics as the Node SDK does', () => {
    expect(twinGetTopic('r1')).toBe('$iothub/twin/GET/?$rid=r1');
    expect(reportedPatchTopic('r2')).toBe('$iothub/twin/PATCH/properties/reported/?$rid=r2');
    expect(methodResponseTopic(200, '5')).toBe('$iothub/methods/res/200/?$rid=5');
  });

  it('formats telemetry with %24-encoded system properties and encoded application properties', () => {
    expect(telemetryTopic('dev-1', { contentType: 'application/json', contentEncoding: 'utf-8', properties: { 'a b': 'x&y' } })).toBe(
      'devices/dev-1/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8&a%20b=x%26y',
    );
    expect(telemetryTopic('dev-1')).toBe('devices/dev-1/messages/events/');
  });

  it.each([
    ['$iothub/twin/res/204/?$rid=abc&$version=3', { kind: 'twinResponse', status: 204, rid: 'abc', version: 3 }],
    ['$iothub/twin/res/200/?$rid=abc', { kind: 'twinResponse', status: 200, rid: 'abc' }],
    ['$iothub/twin/PATCH/properties/desired/?$version=9', { kind: 'desired', version: 9 }],
    ['$iothub/methods/POST/reboot/?$rid=1f', { kind: 'method', name: 'reboot', rid: '1f' }],
    ['$iothub/methods/POST/reboot', { kind: 'other' }],
    ['devices/dev-1/messages/devicebound/x=1', { kind: 'other' }],
  ])('reads %s', (topic, expected) => {
    expect(parseHubTopic(topic)).toEqual(expected);
  });
});
