import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { nextDesired, openDevice, type DeviceClient, type DeviceTwin } from '../helpers/device-sdk.js';
import { canBind443On, startLoopbackHub } from '../helpers/loopback-hub.js';
import { rest } from '../helpers/rest-client.js';
import { runServicePlan, SKIP_443_REASON, type PlanStep, type StepResult } from '../helpers/service-sdk.js';
import type { TestHub } from '../helpers/start-hub.js';
import { eventually, waitForSubscription } from '../helpers/wait-for.js';

// Automatic device management with the real `azure-iothub` Registry (addConfiguration, getConfiguration(s),
// updateConfiguration, removeConfiguration, applyConfigurationContentOnDevice) and a real `azure-iot-device` MQTT
// client on a targeted device (iothub-protocol-2.md §8; checklist 182-189).

const FLEET_SCRIPT = fileURLToPath(new URL('../fixtures/service-sdk/run-fleet-plan.cjs', import.meta.url));
const can443 = await canBind443On('127.0.0.2');
const title = 'configurations with the real azure-iothub Registry';

type Twin = { tags: Record<string, unknown>; properties: { desired: Record<string, unknown> }; configurations?: Record<string, { status: string }> };
type Configuration = Record<string, unknown> & { etag: string; systemMetrics: { results: Record<string, number> }; metrics: { results: Record<string, number> } };

function plan(hub: TestHub, steps: readonly PlanStep[]): Promise<StepResult[]> {
  return runServicePlan(hub.hub, steps, { script: FLEET_SCRIPT, timeoutMs: 30_000 });
}

function valueOf<T>(result: StepResult | undefined): T {
  if (!result?.ok) throw new Error(`step failed: ${JSON.stringify(result)}`);
  return result.value as T;
}

function config(id: string, priority: number, targetCondition: string, deviceContent: object, metrics?: Record<string, string>): PlanStep {
  return {
    op: 'addConfiguration',
    configuration: { id, priority, targetCondition, labels: { purpose: 'test' }, content: { deviceContent }, ...(metrics ? { metrics: { queries: metrics } } : {}) },
  };
}

describe.skipIf(!can443)(can443 ? title : `${title} — SKIPPED: ${SKIP_443_REASON}`, () => {
  let hub: TestHub;
  let device: DeviceClient;
  let deviceTwin: DeviceTwin;
  const twin = (deviceId: string) => hub.hub.twins.getServiceTwin(deviceId) as unknown as Twin;
  const settled = async (check: () => boolean, what: string) => {
    await hub.hub.configurationsSettled();
    await eventually(check, 10_000, what);
  };

  beforeAll(async () => {
    hub = await startLoopbackHub({ fleet: { configurationIntervalMs: 300 } });
    for (const [deviceId, tags] of [['c1', { env: 'prod', ring: 1 }], ['c2', { env: 'prod' }], ['c3', { env: 'dev' }]] as const) {
      await hub.hub.registry.create({ deviceId });
      await hub.hub.twins.updateTwin(deviceId, { tags });
    }
    device = await openDevice(hub.hub, 'c1');
    deviceTwin = await device.getTwin();
  });

  afterAll(async () => {
    await device?.close();
    await hub?.dispose();
  });

  it('applies overlapping configurations by priority, marks the twins, and counts system and custom metrics', async () => {
    const deltas: Record<string, unknown>[] = [];
    deviceTwin.on('properties.desired', (delta: Record<string, unknown>) => deltas.push(delta));
    await waitForSubscription(hub.hub, 'c1', '$iothub/twin/PATCH/properties/desired/#');
    const [low, base, canary] = await plan(hub, [
      config('low', 0, '*', { 'properties.desired.settings': { fw: '0.9', interval: 300 } }),
      config('base', 1, "tags.env = 'prod'", { 'properties.desired.settings': { fw: '1.0', interval: 60 }, 'properties.desired.telemetry': { on: true } }),
      config('canary', 10, 'tags.ring = 1', { 'properties.desired.settings': { fw: '2.0-beta', interval: 10 } }, {
        onBeta: "SELECT deviceId FROM devices WHERE properties.reported.fw = '2.0-beta'",
      }),
    ]);
    expect(valueOf<Configuration>(low)).toMatchObject({ id: 'low', schemaVersion: '1.0', priority: 0, labels: { purpose: 'test' }, etag: 'MQ==' });
    expect(typeof valueOf<Configuration>(base).createdTimeUtc).toBe('string');
    expect(valueOf<Configuration>(canary).systemMetrics).toMatchObject({
      queries: { targetedCount: 'SELECT deviceId FROM devices WHERE tags.ring = 1', appliedCount: "select deviceId from devices where configurations.[[canary]].status = 'Applied'" },
    });
    await settled(() => twin('c3').configurations?.low?.status === 'Applied' && twin('c1').configurations?.canary?.status === 'Applied', 'configurations applied');
    expect(twin('c1').properties.desired).toMatchObject({ settings: { fw: '2.0-beta', interval: 10 }, telemetry: { on: true } });
    expect(twin('c1').configurations).toEqual({ canary: { status: 'Applied' }, base: { status: 'Applied' }, low: { status: 'Targeted' } });
    expect(twin('c2').properties.desired).toMatchObject({ settings: { fw: '1.0', interval: 60 }, telemetry: { on: true } });
    expect(twin('c2').configurations).toEqual({ base: { status: 'Applied' }, low: { status: 'Targeted' } });
    expect(twin('c3').properties.desired).toMatchObject({ settings: { fw: '0.9', interval: 300 } });
    expect(twin('c3').configurations).toEqual({ low: { status: 'Applied' } });
    // The connected device heard each write as a desired patch; the last one about settings is canary's.
    await eventually(() => deltas.some((delta) => JSON.stringify(delta.settings) === JSON.stringify({ fw: '2.0-beta', interval: 10 })), 5000, 'the device heard canary');
    // Only the configurations wrote these paths; the change log names them.
    expect(hub.hub.twins.history('c1').map((entry) => entry.writer)).toContain('configuration:canary');

    await hub.hub.twins.patchReported('c1', { fw: '2.0-beta' });
    const [gotLow, gotBase, gotCanary, listed, query] = await plan(hub, [
      { op: 'getConfiguration', id: 'low' },
      { op: 'getConfiguration', id: 'base' },
      { op: 'getConfiguration', id: 'canary' },
      { op: 'getConfigurations' },
      { op: 'query', sql: "SELECT deviceId FROM devices WHERE configurations.[[base]].status = 'Applied'" },
    ]);
    expect(valueOf<Configuration>(gotLow).systemMetrics.results).toEqual({ targetedCount: 3, appliedCount: 1 });
    expect(valueOf<Configuration>(gotBase).systemMetrics.results).toEqual({ targetedCount: 2, appliedCount: 2 });
    expect(valueOf<Configuration>(gotCanary).systemMetrics.results).toEqual({ targetedCount: 1, appliedCount: 1 });
    expect(valueOf<Configuration>(gotCanary).metrics).toEqual({ results: { onBeta: 1 }, queries: { onBeta: "SELECT deviceId FROM devices WHERE properties.reported.fw = '2.0-beta'" } });
    expect(valueOf<Configuration[]>(listed).map((entry) => entry.id)).toEqual(['low', 'base', 'canary']);
    expect(valueOf<{ rows: { deviceId: string }[] }>(query).rows.map((row) => row.deviceId).sort()).toEqual(['c1', 'c2']);
  });

  it('moves a device out of and back into a target when its tags change, and removes settings nobody sets any more', async () => {
    const heard = nextDesired(deviceTwin, 1 + (twin('c1').properties.desired.$version as number));
    const [tags] = await plan(hub, [{ op: 'updateTags', deviceId: 'c1', tags: { ring: 2 } }]);
    expect(valueOf<object>(tags)).toMatchObject({ ring: 2 });
    await settled(() => twin('c1').configurations?.canary === undefined, 'c1 left canary');
    expect(twin('c1').properties.desired).toMatchObject({ settings: { fw: '1.0', interval: 60 }, telemetry: { on: true } });
    expect(twin('c1').configurations).toEqual({ base: { status: 'Applied' }, low: { status: 'Targeted' } });
    expect(await heard).toMatchObject({ settings: { fw: '1.0', interval: 60 } });

    await plan(hub, [{ op: 'updateTags', deviceId: 'c2', tags: { env: 'test' } }]);
    await settled(() => twin('c2').configurations?.base === undefined, 'c2 left base');
    expect(twin('c2').properties.desired.settings).toEqual({ fw: '0.9', interval: 300 });
    expect(twin('c2').properties.desired.telemetry).toBeUndefined();
    expect(twin('c2').configurations).toEqual({ low: { status: 'Applied' } });

    await plan(hub, [{ op: 'updateTags', deviceId: 'c1', tags: { ring: 1 } }]);
    await settled(() => twin('c1').configurations?.canary?.status === 'Applied', 'c1 back in canary');
    expect(twin('c1').properties.desired.settings).toEqual({ fw: '2.0-beta', interval: 10 });
  });

  it('re-evaluates on its interval: a condition on desired properties is picked up without a tag change', async () => {
    await plan(hub, [config('opt-in', 5, "properties.desired.optIn = 'yes'", { 'properties.desired.extra': { enabled: true } })]);
    await hub.hub.twins.updateTwin('c3', { properties: { desired: { optIn: 'yes' } } });
    await eventually(() => twin('c3').configurations?.['opt-in']?.status === 'Applied', 5000, 'the interval pass');
    expect(twin('c3').properties.desired.extra).toEqual({ enabled: true });
  });

  it('checks etags: 409 for an existing id, 412 for a stale etag, * forces, content is immutable; delete gives way to the next configuration', async () => {
    const [duplicate, first, stale, forced, contentChange, removed, gone] = await plan(hub, [
      config('canary', 1, '*', { 'properties.desired.x': 1 }),
      { op: 'updateConfiguration', id: 'canary', change: { priority: 11 } },
      { op: 'updateConfiguration', id: 'canary', change: { priority: 12 }, etag: 'MQ==' },
      { op: 'updateConfiguration', id: 'canary', change: { priority: 13 }, etag: 'MQ==', force: true },
      { op: 'updateConfiguration', id: 'canary', change: { content: { deviceContent: { 'properties.desired.other': 1 } } } },
      { op: 'removeConfiguration', id: 'canary' },
      { op: 'getConfiguration', id: 'canary' },
    ]);
    expect(duplicate).toMatchObject({ ok: false, status: 409 });
    expect(valueOf<Configuration>(first)).toMatchObject({ priority: 11, etag: 'Mg==' });
    expect(stale).toMatchObject({ ok: false, status: 412 });
    expect(valueOf<Configuration>(forced)).toMatchObject({ priority: 13, etag: 'Mw==' });
    expect(contentChange).toMatchObject({ ok: false, status: 400 });
    expect(removed).toMatchObject({ ok: true });
    expect(gone).toMatchObject({ ok: false, status: 404 });
    await settled(() => twin('c1').configurations?.canary === undefined, 'canary gone from c1');
    expect(twin('c1').properties.desired.settings).toEqual({ fw: '1.0', interval: 60 });
  });

  it('answers testQueries and applies content on one device', async () => {
    const good = await rest(hub.hub, { method: 'POST', path: '/configurations/testQueries', body: { targetCondition: "tags.env = 'prod'", customMetricQueries: { ok: 'SELECT deviceId FROM devices' } } });
    expect(good.status).toBe(200);
    expect(good.json()).toEqual({ targetConditionError: '', customMetricQueryErrors: { ok: '' } });
    const bad = await rest(hub.hub, { method: 'POST', path: '/configurations/testQueries', body: { targetCondition: 'tags.env = ', customMetricQueries: { broken: 'SELECT FROM' } } });
    const errors = bad.json<{ targetConditionError: string; customMetricQueryErrors: Record<string, string> }>();
    expect(errors.targetConditionError).toMatch(/.+/);
    expect(errors.customMetricQueryErrors.broken).toMatch(/.+/);
    const [applied] = await plan(hub, [{ op: 'applyContent', deviceId: 'c3', content: { deviceContent: { 'properties.desired.direct': { v: 1 } } } }]);
    expect(applied).toMatchObject({ ok: true });
    expect(twin('c3').properties.desired.direct).toEqual({ v: 1 });
  });
});
