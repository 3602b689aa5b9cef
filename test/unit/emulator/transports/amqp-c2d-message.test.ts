import rhea from 'rhea';
import { describe, expect, it } from 'vitest';

import { c2dInputOf, deviceIdOfC2dAddress } from '../../../../emulator/transports/amqp/c2d-message.js';

describe('AMQP C2D messages from the service SDK', () => {
  it('reads the device id from the url-encoded `to` address', () => {
    expect(deviceIdOfC2dAddress('/devices/dev1/messages/devicebound')).toBe('dev1');
    expect(deviceIdOfC2dAddress('/devices/a%3Ab%20c/messages/devicebound')).toBe('a:b c');
    expect(() => deviceIdOfC2dAddress('/devices/dev1/messages/events')).toThrow(/must be \/devices/);
    expect(() => deviceIdOfC2dAddress(undefined)).toThrow();
  });

  it('reads uuid message and correlation ids (as azure-iothub encodes uuid-looking ids) as their text', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const input = c2dInputOf({ body: 'x', message_id: rhea.string_to_uuid(id), correlation_id: rhea.string_to_uuid(id.toUpperCase()), user_id: Buffer.from('svc') as never });
    expect(input).toMatchObject({ messageId: id, correlationId: id, userId: 'svc' });
  });

  it('keeps body, system properties and application properties, and takes iothub-ack out', () => {
    const input = c2dInputOf({
      body: rhea.message.data_section(Buffer.from('{"on":true}')),
      message_id: 'm1',
      correlation_id: 'c1',
      content_type: 'application/json',
      content_encoding: 'utf-8',
      absolute_expiry_time: new Date('2026-01-01T01:00:00Z'),
      application_properties: { 'iothub-ack': 'full', color: 'red', n: 5 },
    });
    expect(Buffer.from(input.body).toString()).toBe('{"on":true}');
    expect(input).toMatchObject({
      messageId: 'm1',
      correlationId: 'c1',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      expiryTime: new Date('2026-01-01T01:00:00Z'),
      ack: 'full',
      properties: { color: 'red', n: '5' },
    });
  });

  it('accepts string and JSON bodies', () => {
    expect(Buffer.from(c2dInputOf({ body: 'text' }).body).toString()).toBe('text');
    expect(Buffer.from(c2dInputOf({ body: { a: 1 } }).body).toString()).toBe('{"a":1}');
    expect(c2dInputOf({ body: undefined }).body).toHaveLength(0);
  });

  it('keeps application properties named __proto__, constructor and prototype as data (issue 11)', () => {
    const application_properties = JSON.parse('{"__proto__":"a","constructor":"b","prototype":"c"}') as Record<string, unknown>;
    const input = c2dInputOf({ body: 'x', application_properties });
    expect(Object.entries(input.properties ?? {})).toEqual([['__proto__', 'a'], ['constructor', 'b'], ['prototype', 'c']]);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});
