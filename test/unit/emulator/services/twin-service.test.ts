import { beforeEach, describe, expect, it } from 'vitest';

import type { HubEvents } from '../../../../emulator/events.js';
import type { RegistryService } from '../../../../emulator/services/registry-service.js';
import type { TwinsApi } from '../../../../emulator/twins-api.js';
import { ManualClock } from '../../../../emulator/util/clock.js';
import { serviceHarness } from '../../../helpers/service-harness.js';

type Twin = {
  etag: string;
  version: number;
  tags: Record<string, unknown>;
  properties: { desired: Record<string, unknown>; reported: Record<string, unknown> };
};

describe('TwinService, service side (§7.4-7.5, checklist 52-61)', () => {
  let twins: TwinsApi;
  let registry: RegistryService;
  let notifications: HubEvents['twinDesiredUpdated'][];
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');

  beforeEach(async () => {
    const hub = await serviceHarness({ clock });
    const events = hub.events;
    registry = hub.registry;
    twins = hub.twins;
    notifications = [];
    events.on('twinDesiredUpdated', (event) => notifications.push(event));
    await registry.create({ deviceId: 'd' });
  });

  const twin = () => twins.getServiceTwin('d') as unknown as Twin;

  it('shows a fresh twin with identity fields, empty tags and both sections at version 1', () => {
    expect(twin()).toMatchObject({
      deviceId: 'd',
      etag: 'AAAAAAAAAAE=',
      status: 'enabled',
      statusUpdateTime: '0001-01-01T00:00:00Z',
      connectionState: 'Disconnected',
      lastActivityTime: '0001-01-01T00:00:00Z',
      cloudToDeviceMessageCount: 0,
      authenticationType: 'sas',
      x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null },
      modelId: '',
      version: 1,
      tags: {},
      capabilities: { iotEdge: false },
      properties: {
        desired: { $metadata: { $lastUpdated: '2026-03-01T10:00:00.000Z', $lastUpdatedVersion: 1 }, $version: 1 },
        reported: { $metadata: { $lastUpdated: '2026-03-01T10:00:00.000Z' }, $version: 1 },
      },
    });
  });

  it('merges desired with If-Match "*", bumps desired $version and etag, and notifies with the applied change', async () => {
    const before = twin().etag;
    const after = (await twins.updateTwin('d', { properties: { desired: { a: 1, gone: null } } }, '"*"')) as unknown as Twin;
    expect(after.properties.desired).toMatchObject({ a: 1, $version: 2 });
    expect(after.etag).not.toBe(before);
    expect(notifications).toEqual([{ deviceId: 'd', body: { a: 1, gone: null, $version: 2 }, version: 2 }]);
  });

  it('rejects a stale etag with 412 and changes nothing', async () => {
    const etag = twin().etag;
    await twins.updateTwin('d', { tags: { x: 1 } }, `"${etag}"`);
    await expect(twins.updateTwin('d', { tags: { x: 2 } }, `"${etag}"`)).rejects.toMatchObject({ httpStatus: 412, code: 'PreconditionFailed' });
    expect(twin().tags).toEqual({ x: 1 });
  });

  it('ignores identity fields, reported and root $metadata/$version sent back by IoT Explorer or C#', async () => {
    const whole = structuredClone(twin()) as Twin & Record<string, unknown>;
    whole.properties.desired.mode = 'eco';
    whole.properties.reported = { hacked: true };
    whole.etag = 'bogus';
    await twins.updateTwin('d', whole);
    expect(twin().properties.desired.mode).toBe('eco');
    expect(twin().properties.reported.hacked).toBeUndefined();
  });

  it('rejects $ keys inside desired and tags with 400', async () => {
    await expect(twins.updateTwin('d', { properties: { desired: { $bad: 1 } } })).rejects.toMatchObject({ httpStatus: 400 });
    await expect(twins.updateTwin('d', { tags: { nested: { $bad: 1 } } })).rejects.toMatchObject({ httpStatus: 400 });
  });

  it('clears desired with null (+1 version) and lists every removed key as null in the notification', async () => {
    await twins.updateTwin('d', { properties: { desired: { a: 1, b: { c: 2 } } } });
    notifications = [];
    await twins.updateTwin('d', { properties: { desired: null } });
    expect(twin().properties.desired).toMatchObject({ $version: 3 });
    expect(Object.keys(twin().properties.desired).sort()).toEqual(['$metadata', '$version']);
    expect(notifications[0]?.body).toEqual({ a: null, b: null, $version: 3 });
  });

  it('clears tags with tags:null, deletes single tags with null, and never notifies the device for tags', async () => {
    await twins.updateTwin('d', { tags: { a: 1, b: 2 } });
    await twins.updateTwin('d', { tags: { a: null } });
    expect(twin().tags).toEqual({ b: 2 });
    await twins.updateTwin('d', { tags: null });
    expect(twin().tags).toEqual({});
    expect(notifications).toEqual([]);
    expect(twin().properties.desired.$version).toBe(1);
  });

  it('PUT replaces tags and desired completely and leaves reported untouched', async () => {
    await twins.patchReported('d', { r: 1 });
    await twins.updateTwin('d', { tags: { old: 1 }, properties: { desired: { old: 1 } } });
    await twins.replaceTwin('d', { properties: { desired: { fresh: true } } });
    expect(twin().tags).toEqual({});
    expect(twin().properties.desired).toMatchObject({ fresh: true, $version: 3 });
    expect(twin().properties.desired.old).toBeUndefined();
    expect(twin().properties.reported).toMatchObject({ r: 1, $version: 2 });
    expect(notifications.at(-1)?.body).toEqual({ old: null, fresh: true, $version: 3 });
  });

  it('bumps the twin version and etag on reported writes too', async () => {
    const before = twin();
    clock.advance(1000);
    await twins.patchReported('d', { t: 20 });
    const after = twin();
    expect(after.version).toBe(before.version + 1);
    expect(after.etag).not.toBe(before.etag);
    expect((after.properties.reported.$metadata as Record<string, unknown>).t).toEqual({ $lastUpdated: '2026-03-01T10:00:01.000Z' });
  });

  it('rejects tags over 8 KB with 400 ArgumentInvalid', async () => {
    const big = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`k${i}`, 'v'.repeat(3000)]));
    await expect(twins.updateTwin('d', { tags: big })).rejects.toMatchObject({ httpStatus: 400, code: 'ArgumentInvalid' });
  });

  it('answers each concurrent PATCH with the twin that write produced, not a later one', async () => {
    const [first, second] = (await Promise.all([
      twins.updateTwin('d', { properties: { desired: { a: 1 } } }, '*'),
      twins.updateTwin('d', { properties: { desired: { b: 2 } } }, '*'),
    ])) as unknown as [Twin, Twin];
    expect(first.properties.desired.b).toBeUndefined();
    expect(first.properties.desired.$version).toBe(2);
    expect(second.properties.desired).toMatchObject({ a: 1, b: 2, $version: 3 });
    expect(first.etag).not.toBe(second.etag);
    expect(second.etag).toBe(twin().etag);
  });

  it('answers unknown devices with 404 DeviceNotFound', async () => {
    await expect(twins.updateTwin('nope', { tags: {} })).rejects.toMatchObject({ httpStatus: 404, code: 'DeviceNotFound' });
    expect(() => twins.getDeviceTwin('nope')).toThrow(/not registered/);
  });
});

describe('one twin path for device and module twins (issue 10)', () => {
  let hub: Awaited<ReturnType<typeof serviceHarness>>;
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');

  beforeEach(async () => {
    hub = await serviceHarness({ clock });
    await hub.registry.create({ deviceId: 'd' });
    await hub.modules.create({ deviceId: 'd', moduleId: 'm' });
  });

  it('answers each concurrent PATCH of a module twin with the twin that write produced', async () => {
    const [first, second] = (await Promise.all([
      hub.twins.updateTwin('d', { properties: { desired: { a: 1 } } }, '*', 'm'),
      hub.twins.updateTwin('d', { properties: { desired: { b: 2 } } }, '*', 'm'),
    ])) as unknown as [Twin, Twin];
    expect(first).toMatchObject({ moduleId: 'm', version: 2, properties: { desired: { a: 1, $version: 2 } } });
    expect(first.properties.desired.b).toBeUndefined();
    expect(second).toMatchObject({ moduleId: 'm', version: 3, properties: { desired: { a: 1, b: 2, $version: 3 } } });
  });

  it('shows only committed state: a read while a write is pending sees the twin before it', async () => {
    const pending = hub.twins.patchReported('d', { t: 1 }, 'm');
    expect((hub.twins.getServiceTwin('d', 'm') as unknown as Twin).version).toBe(1);
    expect(hub.twins.getDeviceTwin('d', 'm')).toEqual({ desired: { $version: 1 }, reported: { $version: 1 } });
    await expect(pending).resolves.toBe(2);
    expect((hub.twins.getServiceTwin('d', 'm') as unknown as Twin).properties.reported).toMatchObject({ t: 1, $version: 2 });
  });

  it('numbers concurrent writes to one twin consecutively against the latest, not the committed, state', async () => {
    const versions = await Promise.all([1, 2, 3, 4].map((n) => hub.twins.patchReported('d', { [`k${n}`]: n })));
    expect(versions).toEqual([2, 3, 4, 5]);
    expect((hub.twins.getServiceTwin('d') as unknown as Twin).properties.reported).toMatchObject({ k1: 1, k4: 4, $version: 5 });
  });

  it('keeps a change log per twin with the writer, and rebuilds the twin at a past version', async () => {
    await hub.twins.updateTwin('d', { tags: { site: 'A' } });
    await hub.twins.patchReported('d', { t: 20 });
    await hub.twins.updateTwin('d', { tags: { site: 'B' }, properties: { desired: { target: 21 } } });
    expect(hub.twins.history('d').map((entry) => [entry.version, entry.writer, Object.keys(entry.changes)])).toEqual([
      [2, 'studio', ['tags']],
      [3, 'device:d', ['reported']],
      [4, 'studio', ['tags', 'desired']],
    ]);
    const at3 = hub.twins.atVersion('d', 3);
    expect(at3).toMatchObject({ version: 3, tags: { site: 'A' }, desired: { $version: 1 }, reported: { t: 20, $version: 2 } });
    // $metadata as it was at version 3: reported.t stamped by its write, desired never written after creation.
    expect(at3?.metadata?.reported).toHaveProperty('t.$lastUpdated');
    expect(at3?.metadata?.desired).toMatchObject({ $lastUpdatedVersion: 1 });
    expect(at3?.metadata?.desired).not.toHaveProperty('target');
    expect(hub.twins.history('d', 'm')).toEqual([]);
    expect(() => hub.twins.history('nope')).toThrow(/not registered/);
  });

  it('deletes a device with its module twins, queue and change logs in one change', async () => {
    await hub.twins.patchReported('d', { t: 1 }, 'm');
    await hub.registry.delete('d');
    expect(hub.state.devices.d).toBeUndefined();
    expect(hub.state.modules.d).toBeUndefined();
    expect(Object.keys(hub.state.twinHistory)).toEqual([]);
  });
});
