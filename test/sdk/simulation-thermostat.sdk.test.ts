import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSimulationManager, type JsonObject, type SimulationManager } from '../../emulator/index.js';
import { canBind443, runServicePlan } from '../helpers/service-sdk.js';
import { startLoopbackHub } from '../helpers/loopback-hub.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// The built-in thermostat profile as a simulated device over real MQTT/TLS: what it reports, how it acknowledges
// desired changes made through the service layer and through the real azure-iothub SDK (REST on 443), and how it
// answers direct methods (hub method service and azure-iothub Client.invokeDeviceMethod).

const can443 = await canBind443();
const DEVICE = 'sim-thermostat-1';
/** `desired.properties.targetTemperature.delayMs` in assets/profiles/thermostat.json. */
const APPLY_DELAY_MS = 1000;

describe('a simulated thermostat against the hub', () => {
  let hub: TestHub;
  let manager: SimulationManager;

  beforeAll(async () => {
    hub = can443 ? await startLoopbackHub() : await startTestHub();
    manager = await createSimulationManager(hub.hub);
  });

  afterAll(async () => {
    await manager?.close();
    await hub?.dispose();
  });

  function reported(): JsonObject {
    const twin = hub.hub.twins.getServiceTwin(DEVICE) as { properties: { reported: JsonObject } };
    return twin.properties.reported;
  }

  /** Sets a desired target through `write`, then waits for the Plug and Play ack with that `av`. */
  async function desireAndAwaitAck(value: unknown, write: () => Promise<void>): Promise<{ ack: JsonObject; elapsedMs: number }> {
    const started = Date.now();
    await write();
    const twin = hub.hub.twins.getServiceTwin(DEVICE) as { properties: { desired: { $version: number } } };
    const version = twin.properties.desired.$version;
    await eventually(() => (reported().targetTemperature as JsonObject | undefined)?.av === version, 10_000, `ack of ${JSON.stringify(value)}`);
    return { ack: reported().targetTemperature as JsonObject, elapsedMs: Date.now() - started };
  }

  it('registers, connects with its model id and reports its start-up properties', async () => {
    const created = await manager.create({ deviceId: DEVICE, profile: 'thermostat' });
    expect(created).toMatchObject({ deviceId: DEVICE, profileName: 'thermostat', runState: 'running', status: { state: 'running' } });
    await eventually(() => reported().serialNumber === 'TH-0001', 5000, 'start-up report');
    expect(reported()).toMatchObject({ serialNumber: 'TH-0001', maxTempSinceLastReboot: 21.5 });
    expect(hub.hub.twins.getServiceTwin(DEVICE)).toMatchObject({ modelId: 'dtmi:com:example:Thermostat;1', connectionState: 'Connected' });
  });

  it('applies a desired change made through the service layer and acknowledges it after the configured delay', async () => {
    const { ack, elapsedMs } = await desireAndAwaitAck(25, async () => {
      await hub.hub.twins.updateTwin(DEVICE, { properties: { desired: { targetTemperature: 25 } } });
    });
    expect(ack).toMatchObject({ value: 25, ac: 200, ad: 'Successfully updated target temperature' });
    expect(elapsedMs).toBeGreaterThanOrEqual(APPLY_DELAY_MS - 50);
    expect(elapsedMs).toBeLessThan(APPLY_DELAY_MS + 2000);
  });

  it('rejects an out-of-range target with ac 400 and keeps the value it had', async () => {
    const { ack } = await desireAndAwaitAck(99, async () => {
      await hub.hub.twins.updateTwin(DEVICE, { properties: { desired: { targetTemperature: 99 } } });
    });
    expect(ack).toMatchObject({ value: 25, ac: 400, ad: 'Target temperature out of range (5 to 35 °C)' });
  });

  it('answers getMaxMinReport through the hub method service with the configured status and payload', async () => {
    const result = await hub.hub.methods.invoke({
      deviceId: DEVICE,
      methodName: 'getMaxMinReport',
      payload: '2026-01-01T00:00:00Z',
      responseTimeoutInSeconds: 10,
      connectTimeoutInSeconds: 0,
    });
    expect(result.status).toBe(200);
    const payload = result.payload as Record<string, number | string>;
    expect(payload.startTime).toBe('2026-01-01T00:00:00Z');
    expect(payload.maxTemp).toBeGreaterThanOrEqual(25);
    expect(payload.maxTemp).toBeLessThanOrEqual(30);
    expect(typeof payload.endTime).toBe('string');
  });

  it.skipIf(!can443)('applies a desired change made with the real azure-iothub SDK and answers its direct method', async () => {
    const { ack, elapsedMs } = await desireAndAwaitAck(21, async () => {
      const [update] = await runServicePlan(hub.hub, [
        { op: 'updateTwin', deviceId: DEVICE, patch: { properties: { desired: { targetTemperature: 21 } } } },
      ]);
      expect(update).toMatchObject({ ok: true });
    });
    expect(ack).toMatchObject({ value: 21, ac: 200 });
    expect(elapsedMs).toBeGreaterThanOrEqual(APPLY_DELAY_MS - 50);
    const [invoked, unknown] = await runServicePlan(hub.hub, [
      { op: 'invoke', deviceId: DEVICE, methodName: 'getMaxMinReport', payload: 'since-boot', responseTimeoutInSeconds: 10 },
      { op: 'invoke', deviceId: DEVICE, methodName: 'selfDestruct', payload: null, responseTimeoutInSeconds: 10 },
    ]);
    expect(invoked).toMatchObject({ ok: true, value: { status: 200, payload: { startTime: 'since-boot' } } });
    expect(unknown).toMatchObject({ ok: true, value: { status: 501 } });
  });

  it('reboots on the reboot method: answers, goes offline, reconnects and reports again', async () => {
    const result = await hub.hub.methods.invoke({ deviceId: DEVICE, methodName: 'reboot', payload: null, responseTimeoutInSeconds: 10, connectTimeoutInSeconds: 0 });
    expect(result).toEqual({ status: 200, payload: { rebooting: true, delaySeconds: 3 } });
    await eventually(() => manager.get(DEVICE)?.status.state === 'offline', 5000, 'offline after reboot');
    await eventually(() => manager.get(DEVICE)?.status.state === 'running', 10_000, 'back after reboot');
    expect(manager.get(DEVICE)?.status.counters.connects).toBe(2);
  });
});
