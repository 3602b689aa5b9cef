import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';

// The jobs, configurations and digital twin REST surface at the wire (any HTTPS port): bad input is refused in the
// hub's error format and changes nothing (iothub-protocol-2.md §7-9; iothub-protocol.md §8.4).

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 } });
  await hub.hub.registry.create({ deviceId: 'w1' });
});
afterAll(() => hub?.dispose());

function errorCodeOf(reply: { json<T>(): T }): string {
  return /^ErrorCode:([A-Za-z]+);/.exec(reply.json<{ Message: string }>().Message)?.[1] ?? '';
}

describe('the fleet REST surface', () => {
  it('refuses bad job bodies with 400 ArgumentInvalid and keeps no job', async () => {
    for (const body of [
      { type: 'rebootDevice', queryCondition: "deviceId = 'w1'" },
      { type: 'scheduleUpdateTwin', queryCondition: "deviceId = 'w1'" },
      { type: 'scheduleUpdateTwin', queryCondition: "deviceId = 'w1'", updateTwin: { properties: { desired: { 'a.b': 1 } } } },
      { type: 'scheduleDeviceMethod', queryCondition: "deviceId = 'w1'", cloudToDeviceMethod: { methodName: 'x', responseTimeoutInSeconds: 1 } },
      { type: 'scheduleUpdateTwin', queryCondition: 'FROM devices', updateTwin: { tags: { a: 1 } } },
      { type: 'scheduleUpdateTwin', queryCondition: "deviceId = 'w1'", updateTwin: { tags: { a: 1 } }, maxExecutionTimeInSeconds: 0 },
      { jobId: 'other', type: 'scheduleUpdateTwin', queryCondition: "deviceId = 'w1'", updateTwin: { tags: { a: 1 } } },
    ]) {
      const reply = await rest(hub.hub, { method: 'PUT', path: '/jobs/v2/bad-1', body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(errorCodeOf(reply)).toBe('ArgumentInvalid');
    }
    const missing = await rest(hub.hub, { method: 'GET', path: '/jobs/v2/bad-1' });
    expect(missing.status).toBe(404);
    expect(errorCodeOf(missing)).toBe('JobNotFound');
    const list = await rest(hub.hub, { method: 'GET', path: '/jobs/v2/query?jobStatus=nonsense' });
    expect(list.status).toBe(400);
    const empty = await rest(hub.hub, { method: 'GET', path: '/jobs/v2/query' });
    expect(empty.json()).toEqual([]);
    expect(empty.headers['x-ms-item-type']).toBe('JobResponse');
    expect(empty.headers['x-ms-continuation']).toBeUndefined();
  });

  it('answers configuration errors in the hub format', async () => {
    const bad = await rest(hub.hub, { method: 'PUT', path: '/configurations/Upper', body: { content: { deviceContent: {} } } });
    expect(bad.status).toBe(400);
    const badQuery = await rest(hub.hub, { method: 'PUT', path: '/configurations/c1', body: { targetCondition: 'tags.x =', content: { deviceContent: {} } } });
    expect(badQuery.status).toBe(400);
    expect(badQuery.json<{ Message: string }>().Message).toContain('targetCondition is not a valid query');
    const tooMany = await rest(hub.hub, {
      method: 'PUT', path: '/configurations/c1',
      body: { content: { deviceContent: {} }, metrics: { queries: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => [n, 'SELECT deviceId FROM devices'])) } },
    });
    expect(tooMany.status).toBe(400);
    const created = await rest(hub.hub, { method: 'PUT', path: '/configurations/c1', body: { targetCondition: '*', content: { deviceContent: { 'properties.desired.x': 1 } } } });
    expect(created.status).toBe(200);
    expect(created.json()).toMatchObject({ id: 'c1', schemaVersion: '1.0', priority: 0, etag: 'MQ==' });
    const stale = await rest(hub.hub, { method: 'PUT', path: '/configurations/c1', headers: { 'if-match': '"Mg=="' }, body: { targetCondition: '*', content: { deviceContent: { 'properties.desired.x': 1 } } } });
    expect(stale.status).toBe(412);
    const gone = await rest(hub.hub, { method: 'DELETE', path: '/configurations/c1' });
    expect(gone.status).toBe(204);
    const again = await rest(hub.hub, { method: 'DELETE', path: '/configurations/c1' });
    expect(again.status).toBe(404);
    expect(errorCodeOf(again)).toBe('ConfigurationNotFound');
  });

  it('refuses a twin that is not digital-twin conformant and bad JSON Patches', async () => {
    await hub.hub.twins.updateTwin('w1', { properties: { desired: { 'not-dtdl': 1 } } });
    const view = await rest(hub.hub, { method: 'GET', path: '/digitaltwins/w1' });
    expect(view.status).toBe(400);
    expect(view.json<{ Message: string }>().Message).toContain("'not-dtdl' exists within the device twin and is not digital twin conformant property");
    await hub.hub.twins.updateTwin('w1', { properties: { desired: { 'not-dtdl': null } } });
    expect((await rest(hub.hub, { method: 'GET', path: '/digitaltwins/w1' })).status).toBe(200);
    for (const body of [{ op: 'add', path: '/x', value: 1 }, [{ op: 'move', path: '/x', from: '/y' }], [{ op: 'add', path: 'x', value: 1 }], [{ op: 'add', path: '/x' }]]) {
      const reply = await rest(hub.hub, { method: 'PATCH', path: '/digitaltwins/w1', body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
    }
    const command = await rest(hub.hub, { method: 'POST', path: '/digitaltwins/w1/commands/reboot?responseTimeoutInSeconds=1', body: {} });
    expect(command.status).toBe(400);
    const offline = await rest(hub.hub, { method: 'POST', path: '/digitaltwins/w1/components/c1/commands/reboot', body: {} });
    expect(offline.status, offline.text).toBe(404);
    expect(offline.text).toContain('404103');
  });

  it('answers import/export jobs as a hub without reachable storage', async () => {
    const created = await rest(hub.hub, { method: 'POST', path: '/jobs/create', body: { type: 'export', outputBlobContainerUri: 'https://a.blob.core.windows.net/c?sig=x', excludeKeysInExport: true } });
    expect(created.status).toBe(400);
    expect(errorCodeOf(created)).toBe('BlobContainerValidationError');
    const invalid = await rest(hub.hub, { method: 'POST', path: '/jobs/create', body: { type: 'copy' } });
    expect(errorCodeOf(invalid)).toBe('ArgumentInvalid');
    expect((await rest(hub.hub, { method: 'GET', path: '/jobs' })).json()).toEqual([]);
    expect((await rest(hub.hub, { method: 'GET', path: '/jobs/some-id' })).status).toBe(404);
  });
});
