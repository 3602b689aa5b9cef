import rhea from 'rhea';
import { describe, expect, it } from 'vitest';

import { telemetryPropertiesOf } from '../../../../../emulator/transports/amqp/device/telemetry-message.js';
import { bodyBytesOf } from '../../../../../emulator/transports/amqp/message-body.js';

describe('AMQP telemetry → message properties (iothub-protocol-2.md §3.4)', () => {
  it('maps system properties and annotations to the short names MQTT uses, uuids as text', () => {
    const properties = telemetryPropertiesOf({
      message_id: rhea.string_to_uuid('6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b'),
      correlation_id: 'c-1',
      to: '/devices/d1/messages/events',
      content_type: 'application/json',
      content_encoding: 'utf-8',
      absolute_expiry_time: new Date('2026-01-01T00:00:00Z'),
      message_annotations: { 'dt-subject': 'thermostat1', 'iothub-interface-id': 'urn:x' },
      application_properties: { alert: 'high', level: 3, 'iothub-ack': 'full' },
      body: undefined,
    });
    expect({ ...properties.system }).toEqual({
      mid: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
      cid: 'c-1',
      to: '/devices/d1/messages/events',
      ct: 'application/json',
      ce: 'utf-8',
      exp: '2026-01-01T00:00:00.000Z',
      sub: 'thermostat1',
      ifid: 'urn:x',
    });
    expect({ ...properties.application }).toEqual({ alert: 'high', level: '3' });
  });

  it('keeps __proto__ as an ordinary property name (no prototype)', () => {
    const application = JSON.parse('{"__proto__":"x"}') as Record<string, unknown>;
    const properties = telemetryPropertiesOf({ application_properties: application, body: undefined });
    expect(Object.getPrototypeOf(properties.application)).toBeNull();
    expect(Object.keys(properties.application)).toEqual(['__proto__']);
  });

  it('reads a data section, a string or another value as bytes', () => {
    expect(bodyBytesOf(rhea.message.data_section(Buffer.from('abc'))).toString()).toBe('abc');
    expect(bodyBytesOf('text').toString()).toBe('text');
    expect(bodyBytesOf({ a: 1 }).toString()).toBe('{"a":1}');
    expect(bodyBytesOf(undefined)).toHaveLength(0);
  });
});
