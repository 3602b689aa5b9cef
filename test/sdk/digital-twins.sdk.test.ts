import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSimulationManager, type SimulationManager } from '../../emulator/index.js';
import { nextDesired, updateReported, type DeviceClient } from '../helpers/device-sdk.js';
import { canBind443On, startLoopbackHub } from '../helpers/loopback-hub.js';
import { rest } from '../helpers/rest-client.js';
import { runServicePlan, SKIP_443_REASON, type PlanStep, type StepResult } from '../helpers/service-sdk.js';
import type { TestHub } from '../helpers/start-hub.js';
import { eventually, waitForSubscription } from '../helpers/wait-for.js';

// The IoT Plug and Play digital twin API with the real `azure-iothub` DigitalTwinClient, answered by a real
// `azure-iot-device` MQTT client that announces its model id (iothub-protocol-2.md §9; checklist 190-196).

const FLEET_SCRIPT = fileURLToPath(new URL('../fixtures/service-sdk/run-fleet-plan.cjs', import.meta.url));
const can443 = await canBind443On('127.0.0.2');
const title = 'the digital twin API with the real azure-iothub DigitalTwinClient';
const MODEL = 'dtmi:com:example:TemperatureController;2';

type Result = Record<string, unknown> & { httpStatus: number; headers: Record<string, string> };

function plan(hub: TestHub, steps: readonly PlanStep[]): Promise<StepResult[]> {
  return runServicePlan(hub.hub, steps, { script: FLEET_SCRIPT, timeoutMs: 30_000 });
}

function valueOf<T>(result: StepResult | undefined): T {
  if (!result?.ok) throw new Error(`step failed: ${JSON.stringify(result)}`);
  return result.value as T;
}

describe.skipIf(!can443)(can443 ? title : `${title} — SKIPPED: ${SKIP_443_REASON}`, () => {
  let hub: TestHub;
  let device: DeviceClient;

  beforeAll(async () => {
    hub = await startLoopbackHub();
    await hub.hub.registry.create({ deviceId: 'pnp1' });
    await hub.hub.twins.updateTwin('pnp1', { properties: { desired: { thermostat1: { __t: 'c', targetTemperature: 21.8 } } } });
    device = deviceSdk.Client.fromConnectionString(hub.hub.deviceConnectionString('pnp1'), mqttTransport.Mqtt);
    await device.setOptions({ ca: await readFile(hub.hub.info.caCertPath, 'utf8'), modelId: MODEL });
    await device.open();
    const twin = await device.getTwin();
    await updateReported(twin, {
      serialNumber: 'SN-1',
      thermostat1: { __t: 'c', maxTempSinceLastReboot: 38.7, targetTemperature: { value: 21.8, ac: 200, av: 2, ad: 'Successfully executed patch' } },
    });
    device.onDeviceMethod('reboot', (request, response) => {
      response.send(200, { rebooted: true, delay: request.payload as unknown }, () => undefined);
    });
    device.onDeviceMethod('thermostat1*getMaxMinReport', (request, response) => {
      response.send(201, { maxTemp: 38.7, since: request.payload as unknown }, () => undefined);
    });
    await waitForSubscription(hub.hub, 'pnp1', '$iothub/methods/POST/#');
  });

  afterAll(async () => {
    await device?.close();
    await hub?.dispose();
  });

  it('shows the announced model id on the twin and in queries', async () => {
    const [query] = await plan(hub, [{ op: 'query', sql: `SELECT deviceId, modelId FROM devices WHERE modelId = '${MODEL}'` }]);
    expect(valueOf<{ rows: unknown[] }>(query).rows).toEqual([{ deviceId: 'pnp1', modelId: MODEL }]);
    expect(hub.hub.twins.getServiceTwin('pnp1').modelId).toBe(MODEL);
  });

  it('getDigitalTwin shows $dtId, $model, reported values, components and the ack metadata of a writable property', async () => {
    const [got] = await plan(hub, [{ op: 'getDigitalTwin', deviceId: 'pnp1' }]);
    const twin = valueOf<Result>(got);
    expect(twin.httpStatus).toBe(200);
    expect(twin.headers.etag).toBe(`W/"${String(hub.hub.twins.getServiceTwin('pnp1').etag)}"`);
    expect(twin).toMatchObject({
      $dtId: 'pnp1',
      serialNumber: 'SN-1',
      thermostat1: {
        maxTempSinceLastReboot: 38.7,
        targetTemperature: 21.8,
        $metadata: {
          targetTemperature: { desiredValue: 21.8, desiredVersion: 2, ackVersion: 2, ackCode: 200, ackDescription: 'Successfully executed patch' },
        },
      },
      $metadata: { $model: MODEL },
    });
    const meta = twin.$metadata as Record<string, { lastUpdateTime?: string }>;
    expect(meta.serialNumber?.lastUpdateTime).toMatch(/Z$/);
    expect((twin.thermostat1 as Record<string, unknown>).__t).toBeUndefined();
  });

  it('updateDigitalTwin maps add, replace and remove onto desired properties and the device hears them', async () => {
    const twin = await device.getTwin();
    const heard = nextDesired(twin, 3);
    await waitForSubscription(hub.hub, 'pnp1', '$iothub/twin/PATCH/properties/desired/#');
    const etag = String(hub.hub.twins.getServiceTwin('pnp1').etag);
    const [added, removed, missing, stale] = await plan(hub, [
      { op: 'updateDigitalTwin', deviceId: 'pnp1', etag: `W/"${etag}"`, patch: [
        { op: 'add', path: '/targetHumidity', value: 40 },
        { op: 'replace', path: '/thermostat1/targetTemperature', value: 25 },
      ] },
      { op: 'updateDigitalTwin', deviceId: 'pnp1', patch: [{ op: 'remove', path: '/targetHumidity' }] },
      { op: 'updateDigitalTwin', deviceId: 'pnp1', patch: [{ op: 'replace', path: '/noSuchProperty', value: 1 }] },
      { op: 'updateDigitalTwin', deviceId: 'pnp1', etag: `W/"${etag}"`, patch: [{ op: 'add', path: '/x', value: 1 }] },
    ]);
    // The SDK resolves a 202 without a body to undefined: success is all it shows.
    expect(added).toMatchObject({ ok: true });
    expect(removed).toMatchObject({ ok: true });
    expect(missing).toMatchObject({ ok: false });
    expect(JSON.stringify(missing)).toContain('400');
    expect(stale).toMatchObject({ ok: false });
    expect(JSON.stringify(stale)).toContain('412');
    expect(await heard).toMatchObject({ targetHumidity: 40, thermostat1: { __t: 'c', targetTemperature: 25 } });
    const raw = await rest(hub.hub, { method: 'PATCH', path: '/digitaltwins/pnp1', body: [{ op: 'add', path: '/fanSpeed', value: 2 }] });
    expect(raw.status).toBe(202);
    expect(raw.text).toBe('');
    expect(raw.headers.etag).toBe(`W/"${String(hub.hub.twins.getServiceTwin('pnp1').etag)}"`);
    const desired = (hub.hub.twins.getServiceTwin('pnp1') as { properties: { desired: Record<string, unknown> } }).properties.desired;
    expect(desired.thermostat1).toEqual({ __t: 'c', targetTemperature: 25 });
    expect(desired.targetHumidity).toBeUndefined();
  });

  it('invokeCommand and invokeComponentCommand reach the device method handlers with the status header', async () => {
    const [root, component, offline] = await plan(hub, [
      { op: 'invokeCommand', deviceId: 'pnp1', commandName: 'reboot', argument: 5, options: { responseTimeoutInSeconds: 10 } },
      { op: 'invokeComponentCommand', deviceId: 'pnp1', component: 'thermostat1', commandName: 'getMaxMinReport', argument: '2024-01-01T00:00:00Z' },
      { op: 'invokeCommand', deviceId: 'nobody', commandName: 'reboot', argument: {} },
    ]);
    const rootResult = valueOf<Result>(root);
    expect(rootResult.httpStatus).toBe(200);
    expect(rootResult.headers['x-ms-command-statuscode']).toBe('200');
    expect(rootResult.headers['x-ms-request-id']).toMatch(/.+/);
    expect(JSON.stringify(rootResult)).toContain('"rebooted":true');
    const componentResult = valueOf<Result>(component);
    expect(componentResult.headers['x-ms-command-statuscode']).toBe('201');
    expect(JSON.stringify(componentResult)).toContain('"since":"2024-01-01T00:00:00Z"');
    expect(offline).toMatchObject({ ok: false });
    expect(JSON.stringify(offline)).toContain('404');
  });
});

describe.skipIf(!can443)('the built-in Plug and Play thermostat through the digital twin API', () => {
  let hub: TestHub;
  let manager: SimulationManager;

  beforeAll(async () => {
    hub = await startLoopbackHub();
    manager = await createSimulationManager(hub.hub);
  });

  afterAll(async () => {
    await manager?.close();
    await hub?.dispose();
  });

  it('shows its model and properties, takes a target temperature it acknowledges, and answers getMaxMinReport', async () => {
    await manager.create({ deviceId: 'sim-pnp', profile: 'thermostat' });
    await eventually(() => JSON.stringify(hub.hub.twins.getServiceTwin('sim-pnp')).includes('TH-0001'), 10_000, 'start-up report');
    await waitForSubscription(hub.hub, 'sim-pnp', '$iothub/methods/POST/#');
    const [first, update] = await plan(hub, [
      { op: 'getDigitalTwin', deviceId: 'sim-pnp' },
      { op: 'updateDigitalTwin', deviceId: 'sim-pnp', patch: [{ op: 'add', path: '/targetTemperature', value: 24 }] },
    ]);
    expect(valueOf<Result>(first)).toMatchObject({ $dtId: 'sim-pnp', serialNumber: 'TH-0001', $metadata: { $model: 'dtmi:com:example:Thermostat;1' } });
    expect(update).toMatchObject({ ok: true });
    const acked = () => {
      const reported = (hub.hub.twins.getServiceTwin('sim-pnp') as { properties: { reported: Record<string, { ac?: number } | undefined> } }).properties.reported;
      return reported.targetTemperature?.ac === 200;
    };
    await eventually(acked, 10_000, 'the thermostat acknowledged');
    const [after, report] = await plan(hub, [
      { op: 'getDigitalTwin', deviceId: 'sim-pnp' },
      { op: 'invokeCommand', deviceId: 'sim-pnp', commandName: 'getMaxMinReport', argument: '2026-01-01T00:00:00Z' },
    ]);
    const twin = valueOf<Result>(after);
    expect(twin.targetTemperature).toBe(24);
    const meta = (twin.$metadata as Record<string, Record<string, unknown>>).targetTemperature;
    expect(meta).toMatchObject({ desiredValue: 24, ackCode: 200, ackDescription: 'Successfully updated target temperature' });
    expect(meta?.ackVersion).toBe(meta?.desiredVersion);
    const result = valueOf<Result>(report);
    expect(result.headers['x-ms-command-statuscode']).toBe('200');
    expect(JSON.stringify(result)).toContain('"startTime":"2026-01-01T00:00:00Z"');
  });
});
