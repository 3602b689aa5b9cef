import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HubEmulator, JsonObject, JsonValue, TwinHistoryEntry } from '../../emulator/index.js';
import { replayForward } from '../../emulator/state/twin-history.js';
import type { TwinState } from '../../emulator/model/twin.js';
import { openDevice, updateReported, type DeviceClient, type DeviceTwin } from '../helpers/device-sdk.js';
import { rest } from '../helpers/rest-client.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// Issue 18: the twin change log is complete and exact. A seeded mix of writes by a real azure-iot-device client
// (reported), REST service PATCH/PUT with the iothubowner policy (desired, tags), the studio (front door) and
// scheduled updateTwin jobs; then, for every twin (a module twin included), the twin at version 1 rebuilt from the
// log and replayed forward with the hub's write rules must equal the current twin byte for byte — `$metadata`,
// `$version`s and key order included — before and after a restart.

const SEED = Number(process.env.TWIN_HISTORY_SEED ?? 18);
const WRITES = 60;

/** mulberry32: a small seeded PRNG, so a failure can be replayed with TWIN_HISTORY_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPatch(random: () => number, depth = 0): JsonObject {
  const keys = ['fan', 'temp', 'mode', 'site', 'nested', 'limits', 'name'];
  const patch: JsonObject = {};
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    const key = keys[Math.floor(random() * keys.length)] as string;
    const roll = random();
    let value: JsonValue;
    if (roll < 0.15) value = null;
    else if (roll < 0.35 && depth < 2) value = randomPatch(random, depth + 1);
    else if (roll < 0.5) value = [Math.floor(random() * 10), 'x'];
    else if (roll < 0.7) value = Math.round(random() * 1000) / 10;
    else if (roll < 0.85) value = random() < 0.5;
    else value = `v${Math.floor(random() * 100)}`;
    patch[key] = value;
  }
  return patch;
}

/** The twin at version 1 from the front door's time travel, as a stored twin (data, metadata, `$version`s). */
function baseAtVersion1(hub: HubEmulator, deviceId: string, moduleId?: string): TwinState {
  const at = hub.twins.atVersion(deviceId, 1, moduleId);
  if (!at?.metadata) throw new Error(`no version 1 with metadata for ${deviceId}/${moduleId ?? ''}`);
  const { $version: desiredVersion, ...desired } = at.desired;
  const { $version: reportedVersion, ...reported } = at.reported;
  return {
    tags: at.tags,
    desired: { data: desired, metadata: at.metadata.desired as never, version: desiredVersion },
    reported: { data: reported, metadata: at.metadata.reported as never, version: reportedVersion },
    version: 1,
    modelId: '',
  };
}

/** The service twin's sections in the stored shape, for a byte-for-byte comparison. */
function currentOf(hub: HubEmulator, deviceId: string, moduleId?: string): string {
  const twin = hub.twins.getServiceTwin(deviceId, moduleId) as JsonObject & { properties: { desired: JsonObject; reported: JsonObject } };
  const section = (value: JsonObject) => {
    const { $metadata, $version, ...data } = value;
    return { data, metadata: $metadata, version: $version };
  };
  return JSON.stringify({ tags: twin.tags ?? {}, desired: section(twin.properties.desired), reported: section(twin.properties.reported), version: twin.version });
}

function replayedOf(hub: HubEmulator, deviceId: string, moduleId?: string): string {
  const entries: readonly TwinHistoryEntry[] = hub.twins.history(deviceId, moduleId);
  const twin = replayForward(baseAtVersion1(hub, deviceId, moduleId), entries);
  return JSON.stringify({ tags: twin.tags, desired: twin.desired, reported: twin.reported, version: twin.version });
}

describe('twin change log: replay from version 1 rebuilds the twin byte for byte', () => {
  let test: TestHub;
  let device: DeviceClient;
  let deviceTwin: DeviceTwin;
  const twins: { deviceId: string; moduleId?: string }[] = [{ deviceId: 'hist-sdk' }, { deviceId: 'hist-2' }, { deviceId: 'hist-2', moduleId: 'm1' }];

  beforeAll(async () => {
    test = await startTestHub({ historyLimit: 1000, ports: { https: 0 } });
    const { hub } = test;
    await hub.registry.create({ deviceId: 'hist-sdk' });
    await hub.registry.create({ deviceId: 'hist-2' });
    await hub.modules.create({ deviceId: 'hist-2', moduleId: 'm1' });
    device = await openDevice(hub, 'hist-sdk');
    deviceTwin = await device.getTwin();
  });

  afterAll(async () => {
    await device?.close();
    await test?.dispose();
  });

  it(`after ${WRITES} seeded device, service, studio and job writes (seed ${SEED}), and after a restart`, async () => {
    const { hub } = test;
    const random = prng(SEED);
    const writers = new Map<string, number>();
    for (let i = 0; i < WRITES; i++) {
      const target = twins[Math.floor(random() * twins.length)] as { deviceId: string; moduleId?: string };
      const roll = random();
      const patch = randomPatch(random);
      if (roll < 0.3) {
        if (target.deviceId === 'hist-sdk' && target.moduleId === undefined) await updateReported(deviceTwin, patch);
        else await hub.twins.patchReported(target.deviceId, patch, target.moduleId);
        writers.set('device', (writers.get('device') ?? 0) + 1);
      } else if (roll < 0.6) {
        const path = target.moduleId === undefined ? `/twins/${target.deviceId}` : `/twins/${target.deviceId}/modules/${target.moduleId}`;
        const replace = random() < 0.25;
        const body: JsonObject = replace ? { tags: randomPatch(random), properties: { desired: randomPatch(random) } } : random() < 0.5 ? { tags: patch } : { properties: { desired: patch } };
        const reply = await rest(hub, { method: replace ? 'PUT' : 'PATCH', path, body: replace ? stripNulls(body) : body });
        expect(reply.status, reply.text).toBe(200);
        writers.set('service', (writers.get('service') ?? 0) + 1);
      } else if (roll < 0.85) {
        if (random() < 0.7) await hub.twins.updateTwin(target.deviceId, { properties: { desired: patch } }, undefined, target.moduleId);
        else await hub.twins.replaceTwin(target.deviceId, stripNulls({ tags: randomPatch(random), properties: { desired: randomPatch(random) } }), '*', target.moduleId);
        writers.set('studio', (writers.get('studio') ?? 0) + 1);
      } else {
        const jobId = `hist-job-${i}`;
        await hub.fleet.scheduleJob(jobId, {
          type: 'scheduleUpdateTwin',
          queryCondition: "deviceId = 'hist-2'",
          startTime: new Date().toISOString(),
          maxExecutionTimeInSeconds: 60,
          updateTwin: { etag: '*', tags: patch },
        });
        await eventually(() => hub.fleet.listJobs().some((job) => job.jobId === jobId && job.status === 'completed'), 20_000, `job ${jobId}`);
        writers.set('job', (writers.get('job') ?? 0) + 1);
      }
    }
    // Every writer kind took part, and the log names them.
    expect([...writers.keys()].sort()).toEqual(['device', 'job', 'service', 'studio']);
    const names = new Set(twins.flatMap(({ deviceId, moduleId }) => hub.twins.history(deviceId, moduleId).map((entry) => entry.writer.split(':')[0])));
    expect(names).toEqual(new Set(['device', 'service', 'studio', 'job']));

    const before = new Map<string, string>();
    for (const { deviceId, moduleId } of twins) {
      const current = currentOf(hub, deviceId, moduleId);
      expect(hub.twins.history(deviceId, moduleId).length).toBe(Number(JSON.parse(current).version) - 1);
      expect(replayedOf(hub, deviceId, moduleId)).toBe(current);
      before.set(`${deviceId}/${moduleId ?? ''}`, JSON.stringify(hub.twins.history(deviceId, moduleId)));
    }

    await device.close();
    await hub.stop();
    await hub.start();
    for (const { deviceId, moduleId } of twins) {
      expect(JSON.stringify(hub.twins.history(deviceId, moduleId))).toBe(before.get(`${deviceId}/${moduleId ?? ''}`));
      expect(replayedOf(hub, deviceId, moduleId)).toBe(currentOf(hub, deviceId, moduleId));
    }
  }, 180_000);
});

/** A replacement body has no nulls (PUT takes the content as it is). */
function stripNulls<T extends JsonValue>(value: T): T {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value;
  const result: JsonObject = {};
  for (const [key, entry] of Object.entries(value)) if (entry !== null) result[key] = stripNulls(entry);
  return result as T;
}
