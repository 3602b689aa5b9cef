import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { connectRaw, nextMessage, twinRequest } from '../helpers/raw-mqtt.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

const GET = (rid: string) => `$iothub/twin/GET/?$rid=${rid}`;
const PATCH = (rid: string) => `$iothub/twin/PATCH/properties/reported/?$rid=${rid}`;

describe('twin protocol over plain MQTT.js (iothub-protocol.md §4)', () => {
  let hub: TestHub;
  let client: MqttClient;
  let counter = 0;
  const deviceId = () => `raw-${counter}`;

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub.dispose();
  });
  afterEach(async () => {
    await client?.endAsync();
  });

  async function freshDevice(): Promise<MqttClient> {
    counter += 1;
    await hub.hub.registry.create({ deviceId: deviceId() });
    client = await connectRaw(hub.hub, deviceId());
    await client.subscribeAsync('$iothub/twin/res/#', { qos: 0 });
    return client;
  }

  function reported(): Record<string, unknown> {
    const twin = hub.hub.twins.getServiceTwin(deviceId()) as { properties: { reported: Record<string, unknown> } };
    const { $metadata: _m, ...rest } = twin.properties.reported;
    return rest;
  }

  it('answers GET on a new device with exactly {"desired":{"$version":1},"reported":{"$version":1}}', async () => {
    await freshDevice();
    const response = await twinRequest(client, GET('1'), ' ', '1');
    expect(response.topic).toBe('$iothub/twin/res/200/?$rid=1');
    expect(response.payload).toBe('{"desired":{"$version":1},"reported":{"$version":1}}');
    expect(response.qos).toBe(0);
  });

  it('accepts an empty GET body and echoes arbitrary $rid strings byte for byte', async () => {
    await freshDevice();
    for (const rid of ['get_twin', '5c6a1b5e-3f0e-4f63-9f53-0a1a2b3c4d5e', '42']) {
      const response = await twinRequest(client, GET(rid), '', rid);
      expect(response.topic).toBe(`$iothub/twin/res/200/?$rid=${rid}`);
    }
  });

  it('answers a reported PATCH with 204, the new $version and an empty body, +1 per message', async () => {
    await freshDevice();
    const first = await twinRequest(client, PATCH('a'), JSON.stringify({ a: 1, b: 2, c: 3 }), 'a');
    expect(first.topic).toBe('$iothub/twin/res/204/?$rid=a&$version=2');
    expect(first.payload).toBe('');
    const second = await twinRequest(client, PATCH('b'), JSON.stringify({ a: 5 }), 'b');
    expect(second.topic).toBe('$iothub/twin/res/204/?$rid=b&$version=3');
    const get = await twinRequest(client, GET('c'), ' ', 'c');
    expect(JSON.parse(get.payload)).toEqual({ desired: { $version: 1 }, reported: { a: 5, b: 2, c: 3, $version: 3 } });
  });

  it('merges nested objects, deletes with null, and follows the checklist 31-36 edge cases', async () => {
    await freshDevice();
    const steps: [object, Record<string, unknown>][] = [
      [{ a: { b: 1 } }, { a: { b: 1 } }],
      [{ a: { c: 2 } }, { a: { b: 1, c: 2 } }],
      [{ a: { b: null } }, { a: { c: 2 } }],
      [{ x: null }, { a: { c: 2 } }],
      [{ y: { z: null } }, { a: { c: 2 }, y: {} }],
      [{ y: { z: null } }, { a: { c: 2 }, y: {} }],
      [{ a: 7 }, { a: 7, y: {} }],
      [{ a: { d: true } }, { a: { d: true }, y: {} }],
      [{ list: [1, { k: 'v' }] }, { a: { d: true }, y: {}, list: [1, { k: 'v' }] }],
      [{ list: ['only'] }, { a: { d: true }, y: {}, list: ['only'] }],
    ];
    let version = 1;
    for (const [index, [patch, expected]] of steps.entries()) {
      const rid = `m${index}`;
      const response = await twinRequest(client, PATCH(rid), JSON.stringify(patch), rid);
      version += 1;
      expect(response.topic).toBe(`$iothub/twin/res/204/?$rid=${rid}&$version=${version}`);
      expect(reported()).toEqual({ ...expected, $version: version });
    }
  });

  it.each([
    ['malformed JSON', '{"a":', 400006],
    ['a $-prefixed key', JSON.stringify({ $foo: 1 }), 400004],
    ['an echoed $version', JSON.stringify({ a: 1, $version: 4 }), 400004],
    ['a key with a dot', JSON.stringify({ 'a.b': 1 }), 400004],
    ['a key with a space', JSON.stringify({ 'a b': 1 }), 400004],
    ['a nested $ key', JSON.stringify({ ok: { $bad: 1 } }), 400004],
    ['an array body', JSON.stringify([1, 2]), 400004],
    ['a string over 4 KB', JSON.stringify({ s: 'x'.repeat(4097) }), 400004],
    ['an integer beyond 2^52', JSON.stringify({ n: 4503599627370496 }), 400004],
    ['nesting 11 levels deep', JSON.stringify(nest(11)), 400004],
    ['a section over 32 KB', JSON.stringify(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'.repeat(4000)]))), 400004],
  ])('rejects %s with 400 and a JSON errorCode, leaving the twin untouched', async (_name, body, errorCode) => {
    await freshDevice();
    await twinRequest(client, PATCH('ok'), JSON.stringify({ keep: 'me' }), 'ok');
    const response = await twinRequest(client, PATCH('bad'), body, 'bad');
    expect(response.topic).toBe('$iothub/twin/res/400/?$rid=bad');
    const error = JSON.parse(response.payload) as { errorCode: number; message: string };
    expect(error.errorCode).toBe(errorCode);
    expect(error.message.length).toBeGreaterThan(0);
    expect(reported()).toEqual({ keep: 'me', $version: 2 });
  });

  it('accepts floating-point literals of any finite size, and big numbers inside strings (integer range is for integer literals, §7.3)', async () => {
    await freshDevice();
    const body = '{"f":1.0e16,"g":1e300,"h":-4.5036e15,"s":"99999999999999999","edge":4503599627370495,"low":-4503599627370496}';
    const response = await twinRequest(client, PATCH('floats'), body, 'floats');
    expect(response.topic).toBe('$iothub/twin/res/204/?$rid=floats&$version=2');
    expect(reported()).toMatchObject({ f: 1e16, g: 1e300, s: '99999999999999999', edge: 4503599627370495, low: -4503599627370496 });
  });

  it.each([
    ['10000000000000000', '{"a":{"b":[1,10000000000000000]}}'],
    ['-4503599627370497', '{"n":-4503599627370497}'],
  ])('rejects the integer literal %s with 400, naming it', async (literal, body) => {
    await freshDevice();
    const response = await twinRequest(client, PATCH('int'), body, 'int');
    expect(response.topic).toBe('$iothub/twin/res/400/?$rid=int');
    expect((JSON.parse(response.payload) as { message: string }).message).toContain(literal);
  });

  it('accepts nesting exactly 10 levels deep', async () => {
    await freshDevice();
    const response = await twinRequest(client, PATCH('deep'), JSON.stringify(nest(10)), 'deep');
    expect(response.topic).toBe('$iothub/twin/res/204/?$rid=deep&$version=2');
  });

  it('pushes a desired change to a subscribed device at QoS 0 with $version in topic and body', async () => {
    await freshDevice();
    await client.subscribeAsync('$iothub/twin/PATCH/properties/desired/#', { qos: 1 });
    const received = nextMessage(client, /^\$iothub\/twin\/PATCH\/properties\/desired\//);
    await hub.hub.twins.updateTwin(deviceId(), { properties: { desired: { fan: 'on', gone: null } } });
    const message = await received;
    expect(message.topic).toBe('$iothub/twin/PATCH/properties/desired/?$version=2');
    expect(message.qos).toBe(0);
    expect(JSON.parse(message.payload)).toEqual({ fan: 'on', gone: null, $version: 2 });
  });

  it('does not notify the device of tags-only changes and produces no message for reported updates', async () => {
    await freshDevice();
    await client.subscribeAsync('$iothub/twin/PATCH/properties/desired/#', { qos: 0 });
    const seen: string[] = [];
    client.on('message', (topic) => {
      if (topic.startsWith('$iothub/twin/PATCH')) seen.push(topic);
    });
    await hub.hub.twins.updateTwin(deviceId(), { tags: { site: 'lab' } });
    await twinRequest(client, PATCH('r'), JSON.stringify({ t: 1 }), 'r');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual([]);
    const twin = hub.hub.twins.getServiceTwin(deviceId()) as { tags: object; properties: { desired: { $version: number } } };
    expect(twin.tags).toEqual({ site: 'lab' });
    expect(twin.properties.desired.$version).toBe(1);
  });
});

function nest(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = levels; i >= 1; i--) value = { [`l${i}`]: value };
  // `levels` nested objects below the section root, the innermost holding a leaf (the docs' one…ten example).
  return value;
}
