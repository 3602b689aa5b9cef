import { describe, expect, it } from 'vitest';

import type { StoredC2dMessage } from '../../../../../emulator/model/hub-state.js';
import { DEVICE_ROUTES } from '../../../../../emulator/transports/http/device-routes.js';
import { c2dHeaders, d2cProperties, d2cPropertiesFromHeaders } from '../../../../../emulator/transports/http/device-message-headers.js';
import { Router } from '../../../../../emulator/transports/http/router.js';

describe('device HTTPS message headers', () => {
  it('maps event headers to the MQTT system-property names and iothub-app-* to application properties', () => {
    const properties = d2cPropertiesFromHeaders({
      'iothub-messageid': 'm1',
      'iothub-correlationid': 'c1',
      'iothub-contenttype': 'application/json',
      'iothub-contentencoding': 'utf-8',
      'iothub-to': '/devices/d1/messages/events, /custom',
      'dt-subject': 'thermostat1',
      'iothub-app-alert': 'high',
      'user-agent': 'azure-iot-device/1.18.4',
      authorization: 'SharedAccessSignature …',
    });
    expect(properties).toEqual({
      system: { mid: 'm1', cid: 'c1', ct: 'application/json', ce: 'utf-8', to: '/devices/d1/messages/events', sub: 'thermostat1' },
      application: { alert: 'high' },
    });
  });

  it('keeps the spelling of batch property keys and ignores unknown names', () => {
    expect(d2cProperties({ 'iothub-app-RoomName': 'Lab', 'IoTHub-MessageId': 'x', other: 'y', 'iothub-app-': 'z' })).toEqual({
      system: { mid: 'x' },
      application: { RoomName: 'Lab' },
    });
  });

  it('writes a quoted ETag, the system headers and iothub-app-* for a locked C2D message', () => {
    const message: StoredC2dMessage = {
      messageId: 'm1',
      body: '',
      system: { to: '/devices/d1/messages/devicebound', cid: 'c1', ct: 'text/plain' },
      application: { Mode: 'eco', 'bad key': 'x', empty: null, unicode: 'é✓' },
      ack: 'full',
      enqueuedTime: '2026-01-01T00:00:00.000Z',
      expiryTime: '2026-01-01T01:00:00.000Z',
      deliveryCount: 2,
    };
    expect(c2dHeaders({ message, lockToken: 'lock-1', lockedUntil: '2026-01-01T00:01:00.000Z' })).toEqual({
      etag: '"lock-1"',
      'iothub-messageid': 'm1',
      'iothub-enqueuedtime': '2026-01-01T00:00:00.000Z',
      'iothub-deliverycount': '2',
      'iothub-expiry': '2026-01-01T01:00:00.000Z',
      'iothub-ack': 'full',
      'iothub-to': '/devices/d1/messages/devicebound',
      'iothub-correlationid': 'c1',
      'iothub-contenttype': 'text/plain',
      'iothub-app-mode': 'eco',
      'iothub-app-empty': '',
      'iothub-app-unicode': encodeURIComponent('é✓'),
    });
  });
});

describe('device routes', () => {
  const router = new Router(DEVICE_ROUTES);

  it('matches C#’s deviceBound spelling and decodes the lock token', () => {
    const result = router.match('DELETE', '/devices/d%3A1/messages/deviceBound/abc');
    expect(result).toMatchObject({ kind: 'match', match: { params: { deviceId: 'd:1', lockToken: 'abc' } } });
  });

  it('leaves service paths to the service routes', () => {
    expect(router.match('GET', '/devices/d1')).toEqual({ kind: 'none' });
    expect(router.match('DELETE', '/devices/d1/commands')).toEqual({ kind: 'none' });
    expect(router.match('GET', '/devices/d1/modules/m1')).toEqual({ kind: 'none' });
  });
});
