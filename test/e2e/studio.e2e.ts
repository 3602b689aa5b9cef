import { readFile } from 'node:fs/promises';

import { expect, test, type Page } from '@playwright/test';
import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';

import { nextDesired, updateReported, type DeviceClient } from '../helpers/device-sdk.js';
import { startBrowserMode, waitForStudioTraffic, type StudioProcess } from '../helpers/browser-mode.js';

// The whole studio in a real browser: browser mode (built output) hosting the hub, Debian's Chromium driving the
// UI, and a real azure-iot-device client connected with the connection string and CA file the UI shows.

let studio: StudioProcess;
let device: DeviceClient | undefined;

test.beforeAll(async () => {
  studio = await startBrowserMode();
});

test.afterAll(async () => {
  await device?.close();
  await studio?.stop();
});

async function replaceEditorText(page: Page, testId: string, text: string): Promise<void> {
  await page.getByTestId(testId).locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
}

async function registerDevice(page: Page, deviceId: string): Promise<void> {
  await page.getByRole('button', { name: '+ Register' }).click();
  await page.getByLabel('Device id').fill(deviceId);
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  await expect(page.getByRole('heading', { name: deviceId })).toBeVisible();
}

test('a device registered, connected, configured and queried through the studio', async ({ page }, testInfo) => {
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(name), fullPage: true });
  await page.goto(studio.url);
  await expect(page.getByTestId('hub-status')).toHaveText('Hub Running');
  await expect(page.getByText('No devices yet')).toBeVisible();

  await test.step('register devices in the UI', async () => {
    await registerDevice(page, 'spare-sensor');
    await registerDevice(page, 'e2e-thermostat');
  });

  await test.step('connect a real device SDK with what the Connect tab shows; the list turns Connected', async () => {
    await page.getByRole('tab', { name: 'Connect' }).click();
    const connectionString = (await page.getByTestId('connection-string').textContent()) ?? '';
    const caPath = (await page.getByTestId('ca-path').textContent()) ?? '';
    expect(connectionString).toContain('DeviceId=e2e-thermostat');
    expect(connectionString).toContain(`GatewayHostName=localhost:${studio.hub.info?.ports.mqtts}`);
    device = deviceSdk.Client.fromConnectionString(connectionString, mqttTransport.Mqtt);
    await device.setOptions({ ca: await readFile(caPath, 'utf8') });
    await device.open();
    const row = page.locator('[data-device-id="e2e-thermostat"]');
    await expect(row.getByText('Connected', { exact: true })).toBeVisible();
    await shot('01-device-connected.png');
  });

  const twin = await device!.getTwin();
  // The SDK subscribes to desired patches when the first listener is added, asynchronously; a patch sent before the
  // SUBACK would not be delivered (iothub-protocol.md §4.4: no replay), so wait for the grant in the hub's traffic.
  twin.on('properties.desired', () => undefined);
  await waitForStudioTraffic(
    studio,
    (event) => event.kind === 'subscribe' && event.deviceId === 'e2e-thermostat' && event.payload.includes('$iothub/twin/PATCH/properties/desired/#'),
  );

  await test.step('edit desired in the UI; the device SDK receives the patch', async () => {
    await page.getByRole('tab', { name: 'Twin' }).click();
    const received = nextDesired(twin, 2);
    await replaceEditorText(page, 'desired-editor', '{\n  "targetTemperature": 23,\n  "mode": "eco"\n}');
    await replaceEditorText(page, 'tags-editor', '{\n  "location": { "building": "B1" }\n}');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const patch = await received;
    expect(patch).toMatchObject({ targetTemperature: 23, mode: 'eco', $version: 2 });
    await expect(page.getByTestId('delta-table')).toContainText('targetTemperature');
  });

  await test.step('the device reports and the UI shows it', async () => {
    await updateReported(twin, { temperature: 21.5, targetTemperature: 23, mode: 'eco' });
    await expect(page.getByTestId('reported-json')).toContainText('"temperature": 21.5');
    await expect(page.getByText('In sync: every desired value is reported')).toBeVisible();
    await expect(page.getByTestId('twin-diff')).toContainText('reported.temperature');
    await shot('02-twin-reported.png');
  });

  await test.step('a save with a stale etag shows the 412 conflict, and merge resolves it', async () => {
    await replaceEditorText(page, 'desired-editor', '{\n  "targetTemperature": 25,\n  "mode": "eco"\n}');
    // The device writes while the user edits: the twin (and its etag) moves on under the editor.
    await updateReported(twin, { temperature: 22 });
    await expect(page.getByTestId('reported-json')).toContainText('"temperature": 22');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = page.getByTestId('twin-conflict');
    await expect(conflict).toContainText('PreconditionFailed (412)');
    await shot('03-etag-conflict.png');
    const received = nextDesired(twin, 3);
    await conflict.getByRole('button', { name: 'Merge my changes onto the latest' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    expect(await received).toMatchObject({ targetTemperature: 25, $version: 3 });
    await expect(conflict).toHaveCount(0);
  });

  await test.step('a GROUP BY query shows its rows', async () => {
    await page.getByRole('button', { name: 'Query', exact: true }).click();
    await replaceEditorText(page, 'query-editor', 'SELECT connectionState, COUNT() AS devices FROM devices GROUP BY connectionState');
    await page.getByRole('button', { name: 'Run query' }).click();
    const table = page.getByTestId('query-table');
    await expect(table.locator('tbody tr')).toHaveCount(2);
    await expect(table.locator('tbody tr', { hasText: 'Connected' }).first()).toBeVisible();
    await expect(page.getByTestId('query-page')).toContainText('Raw');
    await shot('04-group-by-query.png');
  });

  await test.step('a syntax error is underlined as you type', async () => {
    await replaceEditorText(page, 'query-editor', 'SELECT * FROM devices WHERE');
    await expect(page.getByTestId('query-problems')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Run query' })).toBeDisabled();
  });

  await test.step('the traffic view shows the twin exchanges paired by $rid', async () => {
    await page.getByRole('button', { name: 'Traffic', exact: true }).click();
    await page.getByLabel('Kind').selectOption('twin');
    const reportedPatch = page.locator('.traffic-row[data-paired="true"]', { hasText: '$iothub/twin/PATCH/properties/reported' }).first();
    await expect(reportedPatch).toContainText('204');
    await expect(page.locator('.traffic-row', { hasText: '$iothub/twin/PATCH/properties/desired' }).first()).toBeVisible();
    await reportedPatch.click();
    await expect(page.getByLabel('Exchange details')).toContainText('temperature');
    await shot('05-traffic.png');
  });
});
