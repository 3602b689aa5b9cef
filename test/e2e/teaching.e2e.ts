import { readFile } from 'node:fs/promises';

import { expect, test, type Page } from '@playwright/test';
import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';

import { nextDesired, updateReported, type DeviceClient } from '../helpers/device-sdk.js';
import { callStudio, startBrowserMode, waitForStudioTraffic, type StudioProcess } from '../helpers/browser-mode.js';

// Issue 18, the teaching view in a real browser: the timeline's scrubber and diff, step-through holding a desired
// patch from a real azure-iot-device client until it is released, hub snapshots, and every shipped lesson driven
// to its final green check (with simulated devices over real MQTT).

let studio: StudioProcess;
const devices: DeviceClient[] = [];

test.beforeAll(async () => {
  studio = await startBrowserMode();
});

test.afterAll(async () => {
  for (const device of devices) await device.close();
  await studio?.stop();
});

async function openTeach(page: Page, panel: string): Promise<void> {
  await page.goto(studio.url);
  await expect(page.getByTestId('hub-status')).toHaveText('Hub Running');
  await page.getByRole('button', { name: 'Teach', exact: true }).click();
  await page.getByRole('tab', { name: panel, exact: true }).click();
}

async function connectDevice(deviceId: string): Promise<DeviceClient> {
  await callStudio(studio, 'devices.create', { deviceId }).catch(() => undefined);
  const details = await callStudio(studio, 'devices.get', { deviceId });
  const device = deviceSdk.Client.fromConnectionString(details.connectionString, mqttTransport.Mqtt);
  await device.setOptions({ ca: await readFile(studio.hub.info?.caCertPath ?? '', 'utf8') });
  await device.open();
  devices.push(device);
  return device;
}

async function studioWrite(deviceId: string, patch: { tags?: Record<string, unknown>; desired?: Record<string, unknown> }) {
  const twin = await callStudio(studio, 'twin.get', { deviceId });
  return callStudio(studio, 'twin.update', { deviceId, patch: patch as never, etag: twin.etag });
}

test('timeline: the scrubber shows a past version, the diff lists the changed paths, a property says who changed it', async ({ page }) => {
  const device = await connectDevice('tl-device');
  const twin = await device.getTwin();
  await studioWrite('tl-device', { tags: { plant: 'Redmond43' } }); // v2
  await studioWrite('tl-device', { desired: { fan: 'low' } }); // v3
  await updateReported(twin, { fan: 'low' }); // v4, by the device
  await studioWrite('tl-device', { tags: { plant: 'Seattle' }, desired: { fan: 'high' } }); // v5

  await openTeach(page, 'Timeline');
  await page.getByLabel('Device', { exact: true }).selectOption('tl-device');
  await expect(page.getByTestId('timeline-table').locator('tbody tr')).toHaveCount(5);
  await expect(page.getByTestId('value-tags.plant')).toHaveText('"Seattle"');

  // Scrub back to version 3: the twin as it was then.
  await page.getByLabel('Version', { exact: true }).fill('3');
  await expect(page.getByTestId('scrubber-caption')).toContainText('Version 3: desired written by Twin Studio');
  await expect(page.getByTestId('value-tags.plant')).toHaveText('"Redmond43"');
  await expect(page.getByTestId('value-properties.desired.fan')).toHaveText('"low"');
  await expect(page.getByTestId('value-properties.reported.$version')).toHaveText('1');
  await page.getByText('Show the whole document with $metadata').click();
  await expect(page.getByTestId('twin-at-version')).toContainText('"$lastUpdatedVersion": 2');

  // Diff version 2 → 5.
  await page.getByLabel('From version').selectOption('2');
  await page.getByLabel('To version').selectOption('5');
  const paths = await page.getByTestId('version-diff').locator('tbody tr td:first-child').allTextContents();
  expect(paths).toEqual(['properties.desired.$version', 'properties.desired.fan', 'properties.reported.$version', 'properties.reported.fan', 'tags.plant']);

  // Who changed reported.fan? The device, at version 4.
  await page.getByLabel('Version', { exact: true }).fill('5');
  await page.locator('[data-path="properties.reported.fan"]').click();
  await expect(page.getByTestId('property-history').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('property-history')).toContainText('device tl-device');
  await expect(page.getByTestId('property-history').locator('tbody tr td').first()).toHaveText('4');

  // The history as a JSON file.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export history (JSON)' }).click();
  const file = await (await download).path();
  const exported = JSON.parse(await readFile(file, 'utf8')) as { deviceId: string; currentVersion: number; entries: { version: number; writer: string }[] };
  expect(exported).toMatchObject({ deviceId: 'tl-device', currentVersion: 5 });
  expect(exported.entries.map((entry) => [entry.version, entry.writer])).toEqual([[2, 'studio'], [3, 'studio'], [4, 'device:tl-device'], [5, 'studio']]);
});

test('step-through: a desired patch waits in the hub until released; the device SDK receives it only then; a simulated device applies only on click', async ({ page }) => {
  const device = await connectDevice('step-device');
  const twin = await device.getTwin();
  const received: Record<string, unknown>[] = [];
  twin.on('properties.desired', (delta: Record<string, unknown>) => received.push(delta));
  await waitForStudioTraffic(studio, (event) => event.kind === 'subscribe' && event.deviceId === 'step-device' && event.payload.includes('$iothub/twin/PATCH/properties/desired/#'));

  await openTeach(page, 'Step-through');
  await page.getByLabel('Hold messages to devices').check();
  await page.getByLabel('Which devices').selectOption('step-device');
  await expect(page.getByTestId('held-empty')).toBeVisible();

  const written = await studioWrite('step-device', { desired: { mode: 'eco' } });
  const version = Number((written.properties.desired as { $version: number }).$version);
  await expect(page.getByTestId('held-list')).toContainText(`desired $version ${version}`);
  // A round trip on the same connection proves it is live while the patch waits.
  await updateReported(twin, { alive: true });
  expect(received.some((delta) => delta.$version === version)).toBe(false);

  const arrival = nextDesired(twin, version);
  await page.getByRole('button', { name: 'Release next' }).click();
  expect(await arrival).toMatchObject({ mode: 'eco', $version: version });
  await expect(page.getByTestId('held-empty')).toBeVisible();
  await page.getByLabel('Hold messages to devices').uncheck();

  // Apply on click: the simulated device receives the change (no hold in the hub) but reports it only on "Apply".
  await callStudio(studio, 'simulations.create', { deviceId: 'click-thermostat', profile: 'thermostat' });
  await callStudio(studio, 'simulations.create', { deviceId: 'auto-thermostat', profile: 'thermostat' });
  await page.getByRole('button', { name: 'Devices', exact: true }).click();
  await page.locator('[data-device-id="click-thermostat"]').click();
  const bar = page.getByTestId('simulation-bar');
  await expect(bar.getByText('running', { exact: true })).toBeVisible({ timeout: 20_000 });
  const reportedOf = async (deviceId: string) => (await callStudio(studio, 'twin.get', { deviceId })).properties.reported;
  for (const deviceId of ['click-thermostat', 'auto-thermostat']) await expect.poll(async () => (await reportedOf(deviceId)).serialNumber, { timeout: 20_000 }).toBeDefined();
  // The box follows the host's answer (a controlled input), so click and wait rather than check().
  await bar.getByLabel('Apply desired changes on click').click();
  await expect(bar.getByLabel('Apply desired changes on click')).toBeChecked();
  await expect(bar.getByRole('button', { name: 'Apply 0 desired changes' })).toBeDisabled();
  const target = await studioWrite('click-thermostat', { desired: { targetTemperature: 24 } });
  const targetVersion = Number((target.properties.desired as { $version: number }).$version);
  await expect(bar.getByRole('list', { name: 'Desired changes received, not applied yet' })).toHaveText(`targetTemperature = 24 (desired $version ${targetVersion})`);
  const reportedTarget = async (deviceId = 'click-thermostat') => (await reportedOf(deviceId)).targetTemperature as { value?: number; ac?: number; av?: number } | undefined;
  // The same change to a thermostat without the switch is acknowledged (after the profile's 1 s); this one's is not.
  await studioWrite('auto-thermostat', { desired: { targetTemperature: 24 } });
  await expect.poll(() => reportedTarget('auto-thermostat'), { timeout: 15_000 }).toMatchObject({ value: 24, ac: 200 });
  expect(await reportedTarget()).toBeUndefined();
  await bar.getByRole('button', { name: 'Apply 1 desired change' }).click();
  await expect.poll(reportedTarget, { timeout: 15_000 }).toMatchObject({ value: 24, ac: 200, av: targetVersion });
  await expect(bar.getByRole('list', { name: 'Desired changes received, not applied yet' })).toHaveCount(0);
  await bar.getByLabel('Apply desired changes on click').click();
  await expect(bar.getByLabel('Apply desired changes on click')).not.toBeChecked();
});

test('snapshots: save → change → restore brings back the exact hub (twins, versions, etags)', async ({ page }) => {
  await callStudio(studio, 'devices.create', { deviceId: 'snap-1' });
  await studioWrite('snap-1', { tags: { room: 'A' }, desired: { light: 'on' } });
  const state = async () => {
    const list = await callStudio(studio, 'devices.list', {});
    const twins = [];
    for (const id of list.map((device) => device.deviceId).sort()) {
      const twin = await callStudio(studio, 'twin.get', { deviceId: id });
      twins.push({ id, etag: twin.etag, version: twin.version, tags: twin.tags, desired: twin.properties.desired, reported: twin.properties.reported });
    }
    return JSON.stringify(twins);
  };
  const before = await state();

  await openTeach(page, 'Snapshots');
  await page.getByLabel('Snapshot name').fill('e2e before');
  await page.getByRole('button', { name: 'Save snapshot' }).click();
  await expect(page.getByTestId('snapshots-table')).toContainText('e2e before');

  await studioWrite('snap-1', { tags: { room: 'B' } });
  await callStudio(studio, 'devices.create', { deviceId: 'snap-extra' });
  await callStudio(studio, 'devices.delete', { deviceId: 'tl-device' });
  expect(await state()).not.toBe(before);

  await page.getByRole('button', { name: 'Restore e2e before' }).click();
  await expect(page.getByRole('status')).toContainText('Restored “e2e before”');
  expect(await state()).toBe(before);
});

const LESSONS = ['Tags and queries', 'Desired, reported and the delta', 'Optimistic concurrency with etags', 'A device offline while desired changes pile up'];

for (const title of LESSONS) {
  test(`lesson “${title}” runs to its final green check`, async ({ page }) => {
    await openTeach(page, 'Lessons');
    await page.getByRole('button', { name: `Start: ${title}` }).click();
    const lesson = page.getByTestId('lesson');
    await expect(lesson).toBeVisible();
    const steps = await lesson.getByRole('list', { name: 'Steps' }).locator('li').count();
    for (let i = 0; i < steps; i++) {
      await expect(lesson.getByText(`Step ${i + 1} of ${steps}`)).toBeVisible();
      const action = lesson.locator('.lesson-action button');
      if ((await action.count()) > 0) await action.click();
      const check = lesson.getByTestId('lesson-check');
      if ((await check.count()) > 0) await expect(check, `step ${i + 1}`).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
      if (i < steps - 1) await lesson.getByRole('button', { name: 'Next step' }).click();
    }
    await expect(lesson.getByTestId('lesson-complete')).toBeVisible();
    if (title === 'Optimistic concurrency with etags') {
      // Reset: the snapshot saved when the lesson started comes back (the lesson's device did not exist then).
      expect((await callStudio(studio, 'devices.list', {})).map((device) => device.deviceId)).toContain('etag-device');
      await lesson.getByRole('button', { name: 'Reset lesson' }).click();
      await expect(page.getByText('The hub is back where the lesson started.')).toBeVisible();
      expect((await callStudio(studio, 'devices.list', {})).map((device) => device.deviceId)).not.toContain('etag-device');
      await expect(lesson.getByText(`Step 1 of ${steps}`)).toBeVisible();
    }
  });
}
