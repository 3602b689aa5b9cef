import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AtomicJsonFile } from '../../../../emulator/store/atomic-json-file.js';

import { emptyHubState, type HubState } from '../../../../emulator/model/hub-state.js';
import { SnapshotSerializer } from '../../../../emulator/store/snapshot-serializer.js';
import type { DeviceRecord } from '../../../../emulator/model/device.js';

function record(deviceId: string, version: number): DeviceRecord {
  return {
    deviceId,
    generationId: '1',
    identityVersion: 1,
    status: 'enabled',
    statusReason: null,
    statusUpdatedTime: '0001-01-01T00:00:00Z',
    connectionStateUpdatedTime: '0001-01-01T00:00:00Z',
    lastActivityTime: '0001-01-01T00:00:00Z',
    authentication: { type: 'sas', symmetricKey: { primaryKey: 'a', secondaryKey: 'b' }, x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null } },
    capabilities: { iotEdge: false },
    twin: {
      tags: { note: 'é"\\\n\u2028' },
      desired: { data: { v: version }, metadata: { $lastUpdated: 'now' }, version },
      reported: { data: {}, metadata: { $lastUpdated: 'now' }, version: 1 },
      version,
      modelId: '',
    },
  };
}

const text = (chunks: readonly Buffer[]) => Buffer.concat(chunks).toString('utf8');

describe('SnapshotSerializer', () => {
  it('writes exactly what JSON.stringify writes, through replacements, additions, deletions and odd keys', () => {
    const state: HubState = emptyHubState();
    const serializer = new SnapshotSerializer();
    const same = () => expect(text(serializer.serialize(state))).toBe(JSON.stringify(state));
    same();
    for (const id of ['b', 'a', '10', '2', 'x"y', '__proto__x']) state.devices[id] = record(id, 1);
    state.sessions.a = [{ topic: '$iothub/twin/res/#', qos: 0 }];
    state.policies.iothubowner = { keyName: 'iothubowner', primaryKey: 'p', secondaryKey: 's', rights: ['RegistryRead'] };
    same();
    // Records are replaced, never mutated: the replaced entry must be re-serialised, the others come from the cache.
    state.devices.a = record('a', 2);
    state.sessions.a = [{ topic: '$iothub/twin/PATCH/properties/desired/#', qos: 1 }];
    same();
    delete state.devices.b;
    delete state.sessions.a;
    same();
    state.c2dQueues.a = [];
    same();
  });

  it('drops entries and fields whose value is undefined, as JSON.stringify does', () => {
    const state = emptyHubState() as HubState & { extra?: undefined };
    state.extra = undefined;
    (state.devices as Record<string, DeviceRecord | undefined>).gone = undefined;
    state.devices.kept = record('kept', 1);
    expect(text(new SnapshotSerializer().serialize(state))).toBe(JSON.stringify(state));
  });

  it('re-serialises nothing unchanged: a second write reuses the cached text of every record', () => {
    const state = emptyHubState();
    for (let i = 0; i < 100; i++) state.devices[`d${i}`] = record(`d${i}`, 1);
    const serializer = new SnapshotSerializer();
    serializer.serialize(state);
    const original = JSON.stringify;
    const objects: unknown[] = [];
    JSON.stringify = ((...args: Parameters<typeof original>) => {
      if (typeof args[0] === 'object' && args[0] !== null) objects.push(args[0]);
      return original(...args);
    }) as typeof JSON.stringify;
    try {
      state.devices.d5 = record('d5', 2);
      serializer.serialize(state);
    } finally {
      JSON.stringify = original;
    }
    // The replaced record and the small uncached top-level maps (policies, c2dQueues); no unchanged record.
    expect(objects).toContain(state.devices.d5);
    expect(objects.filter((value) => Object.values(state.devices).includes(value as DeviceRecord))).toHaveLength(1);
  });
});

describe('AtomicJsonFile with SnapshotSerializer chunks', () => {
  it('writes a document of far more chunks than IOV_MAX (1024) completely, byte for byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twin-snapshot-'));
    try {
      const state = emptyHubState();
      for (let i = 0; i < 5000; i++) state.devices[`d${i}`] = record(`d${i}`, i);
      const serializer = new SnapshotSerializer();
      const file = new AtomicJsonFile<HubState>(join(dir, 'hub.json'), { fsync: false, serialize: (data) => serializer.serialize(data) });
      await file.write(state);
      state.devices.d42 = record('d42', 4242);
      await file.write(state);
      expect(await readFile(join(dir, 'hub.json'), 'utf8')).toBe(JSON.stringify(state));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
