import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { connectRaw, twinRequest } from '../helpers/raw-mqtt.js';
import { rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

/**
 * Issue 11, defect 1: JSON from outside never reaches Object.prototype, and `__proto__`, `constructor` and
 * `prototype` are ordinary twin keys (iothub-protocol.md §7.3 forbids only `$`, `.`, space and control characters),
 * stored and returned as plain data. Every body here is sent as raw text: a JS literal `{__proto__: …}` would not
 * even contain the key.
 */
const CONFIG = { ports: { https: 0 } };
const EVIL_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** A body `{"<key>":{"moduleId":"evil","polluted":true}}` as raw JSON text. */
const evil = (key: string) => `{"${key}":{"moduleId":"evil","polluted":true}}`;

/** Object.prototype must hold nothing a patch put there. */
function expectPrototypeClean(): void {
  const probe: Record<string, unknown> = {};
  expect(probe.moduleId).toBeUndefined();
  expect(probe.polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
}

/** The own key `key` of a parsed object, read without following an inherited accessor. */
const own = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;

describe('keys that name JavaScript internals are plain twin data', () => {
  let hub: TestHub;
  const open: MqttClient[] = [];

  beforeAll(async () => {
    hub = await startTestHub(CONFIG);
    for (const deviceId of ['mallory', 'bystander']) await hub.hub.registry.create({ deviceId });
    await hub.hub.modules.create({ deviceId: 'mallory', moduleId: 'm1' });
  });
  afterEach(async () => {
    for (const client of open.splice(0)) client.end(true);
    expectPrototypeClean();
    // Another device still connects and reads its twin (the pollution made every CONNECT fail).
    const bystander = await connectRaw(hub.hub, 'bystander');
    await bystander.subscribeAsync('$iothub/twin/res/#');
    const reply = await twinRequest(bystander, '$iothub/twin/GET/?$rid=b', '', 'b');
    bystander.end(true);
    expect(reply.topic).toMatch(/^\$iothub\/twin\/res\/200\//);
  });
  afterAll(async () => {
    await hub.dispose();
  });

  it.each(EVIL_KEYS)('MQTT reported patch with "%s": 204, stored as data, merged again as data', async (key) => {
    const device = await connectRaw(hub.hub, 'mallory');
    open.push(device);
    await device.subscribeAsync('$iothub/twin/res/#');
    const first = await twinRequest(device, `$iothub/twin/PATCH/properties/reported/?$rid=${key}1`, evil(key), `${key}1`);
    expect(first.topic).toMatch(/^\$iothub\/twin\/res\/204\//);
    const second = await twinRequest(device, `$iothub/twin/PATCH/properties/reported/?$rid=${key}2`, `{"${key}":{"more":1}}`, `${key}2`);
    expect(second.topic).toMatch(/^\$iothub\/twin\/res\/204\//);
    const got = await twinRequest(device, `$iothub/twin/GET/?$rid=${key}3`, '', `${key}3`);
    const reported = own(JSON.parse(got.payload), 'reported');
    expect(own(reported, key)).toEqual({ moduleId: 'evil', polluted: true, more: 1 });
    const service = hub.hub.twins.getServiceTwin('mallory') as unknown;
    expect(own(own(own(own(service, 'properties'), 'reported'), '$metadata'), key)).toHaveProperty('more');
  });

  it.each(EVIL_KEYS)('MQTT module twin reported patch with "%s"', async (key) => {
    const module = await connectRaw(hub.hub, 'mallory', { moduleId: 'm1' });
    open.push(module);
    await module.subscribeAsync('$iothub/twin/res/#');
    const reply = await twinRequest(module, `$iothub/twin/PATCH/properties/reported/?$rid=m${key}`, evil(key), `m${key}`);
    expect(reply.topic).toMatch(/^\$iothub\/twin\/res\/204\//);
  });

  it.each(EVIL_KEYS)('REST PATCH, PUT and module PATCH of tags and desired with "%s"', async (key) => {
    const body = `{"tags":${evil(key)},"properties":{"desired":${evil(key)}}}`;
    for (const path of ['/twins/mallory', '/twins/mallory/modules/m1']) {
      for (const method of ['PATCH', 'PUT']) {
        const reply = await rest(hub.hub, { method, path, body, headers: { 'if-match': '*' } });
        expect(reply.status, `${method} ${path}: ${reply.text}`).toBe(200);
        const twin = JSON.parse(reply.text) as unknown;
        expect(own(own(twin, 'tags'), key)).toEqual({ moduleId: 'evil', polluted: true });
        expect(own(own(own(twin, 'properties'), 'desired'), key)).toEqual({ moduleId: 'evil', polluted: true });
        expectPrototypeClean();
      }
    }
    // Replacing the section drops the key again (the notification delta names it with null).
    const cleared = await rest(hub.hub, { method: 'PUT', path: '/twins/mallory', body: '{"properties":{"desired":{"other":1}}}' });
    expect(Object.hasOwn(own(own(JSON.parse(cleared.text), 'properties'), 'desired') as object, key)).toBe(false);
  });

  it.each(EVIL_KEYS)('bulk registry call with a twin holding "%s"', async (key) => {
    const body = `[{"id":"bulk-${key.replace(/_/g, 'u')}","importMode":"create","twin":{"tags":${evil(key)}}}]`;
    const reply = await rest(hub.hub, { method: 'POST', path: '/devices', body });
    expect(reply.status, reply.text).toBe(200);
  });

  it.each(EVIL_KEYS)('a device whose id is "%s" is an ordinary device', async (key) => {
    const put = await rest(hub.hub, { method: 'PUT', path: `/devices/${key}`, body: `{"deviceId":"${key}"}` });
    expect(put.status, put.text).toBe(200);
    const list = await rest(hub.hub, { method: 'GET', path: '/devices' });
    expect(list.json<{ deviceId: string }[]>().map((device) => device.deviceId)).toContain(key);
    const twin = await rest(hub.hub, { method: 'PATCH', path: `/twins/${key}`, body: '{"tags":{"a":1}}' });
    expect(twin.status, twin.text).toBe(200);
    const device = await connectRaw(hub.hub, key);
    open.push(device);
    const removed = await rest(hub.hub, { method: 'DELETE', path: `/devices/${key}`, headers: { 'if-match': '*' } });
    expect(removed.status, removed.text).toBe(204);
  });

  it('the committed state on disk keeps the keys as data after a restart', async () => {
    await rest(hub.hub, { method: 'PATCH', path: '/twins/mallory', body: `{"tags":${evil('__proto__')}}` });
    await hub.stop();
    const again = await startTestHub(CONFIG, hub.dataDir);
    try {
      const twin = again.hub.twins.getServiceTwin('mallory') as unknown;
      expect(own(own(twin, 'tags'), '__proto__')).toEqual({ moduleId: 'evil', polluted: true });
      expectPrototypeClean();
    } finally {
      await again.stop();
      hub = await startTestHub(CONFIG, hub.dataDir);
    }
  });
});
