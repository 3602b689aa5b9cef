import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { nextDesired, openDevice, type DeviceClient } from '../helpers/device-sdk.js';
import { canBind443On, startLoopbackHub } from '../helpers/loopback-hub.js';
import { runServicePlan, SKIP_443_REASON, type PlanStep, type StepResult } from '../helpers/service-sdk.js';
import type { TestHub } from '../helpers/start-hub.js';
import { waitForSubscription } from '../helpers/wait-for.js';

// The real `azure-iothub` JobClient (in a child process, port 443 of the hub's own loopback address) against the hub's
// scheduled jobs, with real `azure-iot-device` MQTT clients on the device side (iothub-protocol-2.md §7; checklist
// 175-181).

const FLEET_SCRIPT = fileURLToPath(new URL('../fixtures/service-sdk/run-fleet-plan.cjs', import.meta.url));
const can443 = await canBind443On('127.0.0.2');
const title = 'scheduled jobs with the real azure-iothub JobClient';

type Job = Record<string, unknown> & { status: string; deviceJobStatistics: Record<string, number> };

function plan(hub: TestHub, steps: readonly PlanStep[], timeoutMs = 30_000): Promise<StepResult[]> {
  return runServicePlan(hub.hub, steps, { script: FLEET_SCRIPT, timeoutMs });
}

function valueOf<T>(result: StepResult | undefined): T {
  if (!result?.ok) throw new Error(`step failed: ${JSON.stringify(result)}`);
  return result.value as T;
}

async function methodDevice(hub: TestHub, deviceId: string, delayMs = 0, open?: DeviceClient): Promise<DeviceClient> {
  const device = open ?? (await openDevice(hub.hub, deviceId));
  device.onDeviceMethod('reboot', (request, response) => {
    setTimeout(() => response.send(200, { rebooted: deviceId, payload: request.payload as unknown }, () => undefined), delayMs);
  });
  await waitForSubscription(hub.hub, deviceId, '$iothub/methods/POST/#');
  return device;
}

describe.skipIf(!can443)(can443 ? title : `${title} — SKIPPED: ${SKIP_443_REASON}`, () => {
  let hub: TestHub;
  const devices: DeviceClient[] = [];
  let a1: DeviceClient | undefined;

  beforeAll(async () => {
    hub = await startLoopbackHub({ fleet: { jobs: { concurrency: 1 } } });
    for (const [deviceId, site] of [['a1', 'a'], ['a2', 'a'], ['b1', 'b']] as const) {
      await hub.hub.registry.create({ deviceId });
      await hub.hub.twins.updateTwin(deviceId, { tags: { site } });
    }
  });

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.close()));
    await hub?.dispose();
  });

  it('scheduleTwinUpdate over a tag query updates exactly the matching twins, and a connected device hears it', async () => {
    const device = await openDevice(hub.hub, 'a1');
    devices.push(device);
    a1 = device;
    const twin = await device.getTwin();
    const heard = nextDesired(twin, 2);
    await waitForSubscription(hub.hub, 'a1', '$iothub/twin/PATCH/properties/desired/#');
    const [created, done, twinA1, twinA2, twinB1] = await plan(hub, [
      { op: 'scheduleTwinUpdate', jobId: 'twin-1', query: "tags.site = 'a'", patch: { etag: '*', tags: { wave: 1 }, properties: { desired: { interval: 30 } } } },
      { op: 'waitJob', jobId: 'twin-1', statuses: ['completed', 'failed'] },
      { op: 'getTwin', deviceId: 'a1' },
      { op: 'getTwin', deviceId: 'a2' },
      { op: 'getTwin', deviceId: 'b1' },
    ]);
    expect(valueOf<Job>(created)).toMatchObject({ jobId: 'twin-1', type: 'scheduleUpdateTwin', status: 'queued', queryCondition: "tags.site = 'a'" });
    const job = valueOf<Job>(done);
    expect(job.status).toBe('completed');
    expect(job.deviceJobStatistics).toEqual({ deviceCount: 2, failedCount: 0, succeededCount: 2, runningCount: 0, pendingCount: 0 });
    expect(typeof job.endTime).toBe('string');
    for (const result of [twinA1, twinA2]) expect(valueOf<{ tags: object; desired: object }>(result)).toMatchObject({ tags: { site: 'a', wave: 1 }, desired: { interval: 30 } });
    expect(valueOf<{ tags: object; desired: object }>(twinB1)).toMatchObject({ tags: { site: 'b' } });
    expect(valueOf<{ desired: Record<string, unknown> }>(twinB1).desired.interval).toBeUndefined();
    expect(await heard).toMatchObject({ interval: 30 });
    // The twin change log names the job as the writer.
    expect(hub.hub.twins.history('a2').at(-1)?.writer).toBe('job:twin-1');
  });

  it('scheduleDeviceMethod calls each matching device and records per-device results; an offline device fails', async () => {
    await methodDevice(hub, 'a1', 0, a1);
    const [created, done, rows, filtered] = await plan(hub, [
      { op: 'scheduleDeviceMethod', jobId: 'method-1', query: "tags.site = 'a'", method: { methodName: 'reboot', payload: { why: 'test' }, responseTimeoutInSeconds: 10 } },
      { op: 'waitJob', jobId: 'method-1', statuses: ['completed', 'failed'] },
      { op: 'query', sql: "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'method-1'" },
      { op: 'query', sql: "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'method-1' AND devices.jobs.status = 'completed'" },
    ]);
    expect(valueOf<Job>(created)).toMatchObject({ status: 'queued', cloudToDeviceMethod: { methodName: 'reboot', responseTimeoutInSeconds: 10 } });
    const job = valueOf<Job>(done);
    expect(job.status).toBe('completed');
    expect(job.deviceJobStatistics).toMatchObject({ deviceCount: 2, succeededCount: 1, failedCount: 1, pendingCount: 0, runningCount: 0 });
    const all = valueOf<{ rows: Record<string, unknown>[] }>(rows).rows.sort((x, y) => String(x.deviceId).localeCompare(String(y.deviceId)));
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({
      deviceId: 'a1', jobId: 'method-1', jobType: 'scheduleDeviceMethod', status: 'completed', error: null,
      outcome: { deviceMethodResponse: { status: 200, payload: { rebooted: 'a1', payload: { why: 'test' } } } },
    });
    expect(all[1]).toMatchObject({ deviceId: 'a2', status: 'failed', outcome: null, error: { code: 'DeviceNotOnline' } });
    expect(valueOf<{ rows: Record<string, unknown>[] }>(filtered).rows.map((row) => row.deviceId)).toEqual(['a1']);
    // The traffic says who called: the job, as the back end of each call (the sequence diagram's back-end lane).
    const calls = hub.hub.tap.snapshot().filter((event) => event.kind === 'method' && event.backEnd === 'job');
    expect(calls.filter((event) => event.direction === 'in').map((event) => [event.deviceId, event.topic]).sort()).toEqual([['a1', 'invoke reboot'], ['a2', 'invoke reboot']]);
    expect(calls.find((event) => event.direction === 'out' && event.deviceId === 'a1')?.status).toBe(200);
  });

  it('honours a future start time, and a job cancelled before it starts touches no device', async () => {
    const start = new Date(Date.now() + 2500).toISOString();
    const cancelStart = new Date(Date.now() + 60_000).toISOString();
    const [created, early, cancelCreated, cancelled, done] = await plan(hub, [
      { op: 'scheduleTwinUpdate', jobId: 'later-1', query: "deviceId = 'b1'", patch: { properties: { desired: { later: true } } }, startTime: start },
      { op: 'getJob', jobId: 'later-1' },
      { op: 'scheduleTwinUpdate', jobId: 'never-1', query: "deviceId = 'b1'", patch: { properties: { desired: { never: true } } }, startTime: cancelStart },
      { op: 'cancelJob', jobId: 'never-1' },
      { op: 'waitJob', jobId: 'later-1', statuses: ['completed', 'failed'] },
    ]);
    expect(valueOf<Job>(created)).toMatchObject({ status: 'queued', startTime: start });
    expect(valueOf<Job>(early)).toMatchObject({ status: 'scheduled', deviceJobStatistics: { deviceCount: 0 } });
    expect(valueOf<Job>(cancelCreated).status).toBe('queued');
    expect(valueOf<Job>(cancelled)).toMatchObject({ status: 'cancelled', deviceJobStatistics: { deviceCount: 0 } });
    expect(valueOf<Job>(done).status).toBe('completed');
    const entry = hub.hub.twins.history('b1').find((change) => change.writer === 'job:later-1');
    expect(entry && Date.parse(entry.time)).toBeGreaterThanOrEqual(Date.parse(start));
    const twin = hub.hub.twins.getServiceTwin('b1') as { properties: { desired: Record<string, unknown> } };
    expect(twin.properties.desired.later).toBe(true);
    expect(twin.properties.desired.never).toBeUndefined();
  });

  it('cancel stops a running job: the call under way finishes, the devices not started are canceled', async () => {
    for (const deviceId of ['s1', 's2', 's3']) {
      await hub.hub.registry.create({ deviceId });
      await hub.hub.twins.updateTwin(deviceId, { tags: { slow: true } });
      devices.push(await methodDevice(hub, deviceId, 1500));
    }
    const [, running, cancelled, rows] = await plan(hub, [
      { op: 'scheduleDeviceMethod', jobId: 'slow-1', query: 'tags.slow = true', method: { methodName: 'reboot', responseTimeoutInSeconds: 10 } },
      { op: 'waitJob', jobId: 'slow-1', statuses: ['running'] },
      { op: 'cancelJob', jobId: 'slow-1' },
      { op: 'query', sql: "SELECT deviceId, status FROM devices.jobs WHERE devices.jobs.jobId = 'slow-1'" },
    ]);
    expect(valueOf<Job>(running)).toMatchObject({ status: 'running', deviceJobStatistics: { deviceCount: 3, runningCount: 1, pendingCount: 2 } });
    expect(valueOf<Job>(cancelled)).toMatchObject({ status: 'cancelled', deviceJobStatistics: { deviceCount: 3, failedCount: 2 } });
    const statuses = valueOf<{ rows: { status: string }[] }>(rows).rows.map((row) => row.status).sort();
    expect(statuses).toEqual(['canceled', 'canceled', 'running']);
    const [after] = await plan(hub, [{ op: 'waitJob', jobId: 'slow-1', statuses: ['never'], timeoutMs: 2500 }]);
    expect(valueOf<Job>(after)).toMatchObject({ status: 'cancelled', deviceJobStatistics: { succeededCount: 1, failedCount: 2, runningCount: 0 } });
  });

  it('stops at maxExecutionTimeInSeconds: the call under way finishes, the devices not started fail with JobExpired', async () => {
    const [, done, rows] = await plan(hub, [
      { op: 'scheduleDeviceMethod', jobId: 'short-1', query: 'tags.slow = true', method: { methodName: 'reboot', responseTimeoutInSeconds: 10 }, startTime: new Date().toISOString(), maxSeconds: 3 },
      { op: 'waitJob', jobId: 'short-1', statuses: ['completed', 'failed'] },
      { op: 'query', sql: "SELECT deviceId, status, error FROM devices.jobs WHERE devices.jobs.jobId = 'short-1'" },
    ]);
    const job = valueOf<Job>(done);
    expect(job).toMatchObject({ status: 'completed', statusMessage: 'The job reached its maxExecutionTimeInSeconds (3).' });
    expect(job.deviceJobStatistics).toMatchObject({ deviceCount: 3, succeededCount: 2, failedCount: 1 });
    const expired = valueOf<{ rows: { status: string; error: { code: string } | null }[] }>(rows).rows.filter((row) => row.status === 'failed');
    expect(expired.map((row) => row.error?.code)).toEqual(['JobExpired']);
  });

  it('lists jobs by type and status with paging, and refuses a reused job id', async () => {
    const [methods, completed, twinsPaged, duplicate, missing] = await plan(hub, [
      { op: 'queryJobs', jobType: 'scheduleDeviceMethod' },
      { op: 'queryJobs', jobStatus: 'completed' },
      { op: 'queryJobs', jobType: 'scheduleUpdateTwin', pageSize: 1 },
      { op: 'scheduleTwinUpdate', jobId: 'twin-1', query: "deviceId = 'b1'", patch: { tags: { x: 1 } } },
      { op: 'getJob', jobId: 'no-such-job' },
    ]);
    expect(valueOf<{ jobs: { jobId: string }[] }>(methods).jobs.map((job) => job.jobId)).toEqual(['method-1', 'slow-1', 'short-1']);
    expect(valueOf<{ jobs: { jobId: string }[] }>(completed).jobs.map((job) => job.jobId)).toEqual(['twin-1', 'method-1', 'later-1', 'short-1']);
    expect(valueOf<{ pages: number[]; jobs: { jobId: string }[] }>(twinsPaged)).toEqual({
      pages: [1, 1, 1],
      jobs: [
        { jobId: 'twin-1', type: 'scheduleUpdateTwin', status: 'completed' },
        { jobId: 'later-1', type: 'scheduleUpdateTwin', status: 'completed' },
        { jobId: 'never-1', type: 'scheduleUpdateTwin', status: 'cancelled' },
      ],
    });
    expect(duplicate).toMatchObject({ ok: false, status: 409 });
    expect(missing).toMatchObject({ ok: false, status: 404 });
  });

  it('answers import/export jobs as a hub without a reachable storage account does', async () => {
    const [exported, listed] = await plan(hub, [
      { op: 'exportDevices', uri: 'https://account.blob.core.windows.net/devices?sv=2020&sig=x' },
      { op: 'listJobs' },
    ]);
    expect(exported).toMatchObject({ ok: false, status: 400 });
    expect(JSON.stringify(exported)).toContain('BlobContainerValidationError');
    expect(valueOf<unknown[]>(listed)).toEqual([]);
  });
});

describe.skipIf(!can443)('scheduled jobs across a restart', () => {
  it('a scheduled job survives a restart and runs; finished jobs and their device rows are still there', async () => {
    let hub = await startLoopbackHub();
    const address = hub.hub.info.hostName;
    try {
      await hub.hub.registry.create({ deviceId: 'r1' });
      const [done, scheduled] = await plan(hub, [
        { op: 'scheduleTwinUpdate', jobId: 'before', query: "deviceId = 'r1'", patch: { tags: { before: true } } },
        { op: 'scheduleTwinUpdate', jobId: 'after', query: "deviceId = 'r1'", patch: { tags: { after: true } }, startTime: new Date(Date.now() + 4000).toISOString() },
      ]);
      expect(valueOf<Job>(done).status).toBe('queued');
      expect(valueOf<Job>(scheduled).status).toBe('queued');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await hub.stop();
      hub = await startLoopbackHub({}, hub.dataDir, address);
      const [before, after, rows] = await plan(hub, [
        { op: 'waitJob', jobId: 'before', statuses: ['completed'] },
        { op: 'waitJob', jobId: 'after', statuses: ['completed', 'failed'] },
        { op: 'query', sql: 'SELECT * FROM devices.jobs' },
      ]);
      expect(valueOf<Job>(before)).toMatchObject({ status: 'completed', deviceJobStatistics: { succeededCount: 1 } });
      expect(valueOf<Job>(after)).toMatchObject({ status: 'completed', deviceJobStatistics: { succeededCount: 1 } });
      expect(valueOf<{ rows: { jobId: string }[] }>(rows).rows.map((row) => row.jobId).sort()).toEqual(['after', 'before']);
      expect(hub.hub.twins.getServiceTwin('r1')).toMatchObject({ tags: { before: true, after: true } });
    } finally {
      await hub.dispose();
    }
  });
});
