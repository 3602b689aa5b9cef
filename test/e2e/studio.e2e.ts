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

  await test.step('a save after the device reported meanwhile goes through: only the edited section is checked', async () => {
    await replaceEditorText(page, 'desired-editor', '{\n  "targetTemperature": 25,\n  "mode": "eco"\n}');
    // The device writes while the user edits: the twin (and its etag) moves on under the editor, desired does not.
    await updateReported(twin, { temperature: 22 });
    await expect(page.getByTestId('reported-json')).toContainText('"temperature": 22');
    const received = nextDesired(twin, 3);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    expect(await received).toMatchObject({ targetTemperature: 25, $version: 3 });
    await expect(page.getByTestId('twin-conflict')).toHaveCount(0);
    await shot('03-save-after-report.png');
  });

  await test.step('invoke a direct method and send a C2D message from the UI; the device SDK answers and receives', async () => {
    device!.onDeviceMethod('reboot', (request, response) => {
      void response.send(200, { rebooted: true, delay: (request.payload as { delay?: number } | null)?.delay ?? 0 });
    });
    const message = new Promise<string>((resolve) => device!.on('message', (msg: { data: Buffer }) => resolve(msg.data.toString())));
    await waitForStudioTraffic(
      studio,
      (event) => event.kind === 'subscribe' && event.deviceId === 'e2e-thermostat' && event.payload.includes('$iothub/methods/POST/#'),
    );
    await page.getByRole('tab', { name: 'Methods & C2D' }).click();
    await replaceEditorText(page, 'method-payload', '{ "delay": 5 }');
    await page.getByRole('button', { name: 'Invoke' }).click();
    await expect(page.getByLabel('Method response')).toContainText('"rebooted": true');
    await expect(page.getByText('Status 200')).toBeVisible();
    await page.getByLabel('Body').fill('{"command":"blink"}');
    await page.getByRole('button', { name: 'Send' }).click();
    expect(await message).toBe('{"command":"blink"}');
    // The MQTT device completes the message on receipt; the form follows it from "Queued" to the outcome.
    await expect(page.getByTestId('c2d-outcome')).toHaveText(/^Message \S+ completed by the device\.$/);
    await shot('04-method-and-c2d.png');
  });

  await test.step('a simulated device registered in the UI connects and reports by itself', async () => {
    await page.getByRole('button', { name: '+ Register' }).click();
    await page.getByLabel('Device id').fill('sim-thermostat');
    await page.getByText('Simulated (the hub runs the device for you)').click();
    await expect(page.getByLabel('Simulation profile')).toHaveValue(/.+/);
    await page.getByLabel('Simulation profile').selectOption('thermostat');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await expect(page.getByTestId('simulation-bar')).toContainText('thermostat');
    await expect(page.locator('[data-device-id="sim-thermostat"]').getByText('Connected', { exact: true })).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('simulation-bar').getByText('running', { exact: true })).toBeVisible();
    await expect(page.getByTestId('reported-json')).not.toHaveText('{}', { timeout: 20_000 });
    await shot('05-simulated-device.png');
  });

  await test.step('a GROUP BY query shows its rows', async () => {
    await page.getByRole('button', { name: 'Query', exact: true }).click();
    await replaceEditorText(page, 'query-editor', 'SELECT connectionState, COUNT() AS devices FROM devices GROUP BY connectionState');
    await page.getByRole('button', { name: 'Run query' }).click();
    const table = page.getByTestId('query-table');
    await expect(table.locator('tbody tr')).toHaveCount(2);
    // e2e-thermostat and the simulated device are connected, spare-sensor is not.
    // Columns in SELECT order (connectionState, then the count).
    await expect(table.locator('tbody tr', { hasText: /^Connected2$/ })).toHaveCount(1);
    await expect(table.locator('tbody tr', { hasText: /^Disconnected1$/ })).toHaveCount(1);
    await expect(page.getByTestId('query-page')).toContainText('Raw');
    await shot('06-group-by-query.png');
  });

  await test.step('a syntax error is underlined as you type', async () => {
    await replaceEditorText(page, 'query-editor', 'SELECT * FROM devices WHERE');
    await expect(page.getByTestId('query-problems')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Run query' })).toBeDisabled();
  });

  await test.step('the traffic view shows the twin exchanges paired by $rid', async () => {
    await page.getByRole('button', { name: 'Traffic', exact: true }).click();
    await page.getByLabel('Device').selectOption('e2e-thermostat');
    await page.getByLabel('Kind').selectOption('twin');
    // Topics are shown decoded (the raw topic is the cell's title).
    const reportedPatch = page.locator('.traffic-row[data-paired="true"]', { hasText: 'reported patch' }).first();
    await expect(reportedPatch).toContainText('204');
    await expect(page.locator('.traffic-row', { hasText: 'desired patch' }).first()).toBeVisible();
    await reportedPatch.click();
    await expect(page.getByLabel('Exchange details')).toContainText('temperature');
    await shot('07-traffic.png');
  });

  await test.step('settings show the hub; the dark theme applies', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByText('Service connection string')).toBeVisible();
    await page.getByLabel('Theme', { exact: true }).selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await shot('08-settings-dark.png');
    await page.getByRole('button', { name: 'Devices', exact: true }).click();
    await page.locator('[data-device-id="e2e-thermostat"]').click();
    await shot('09-twin-dark.png');
  });
});

test('a trainer creates a configuration in the studio and watches the targeted device converge', async ({ page }, testInfo) => {
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(name), fullPage: true });
  expect(device, 'the first test connected e2e-thermostat (tags.location.building = B1)').toBeDefined();
  const twin = await device!.getTwin();
  await page.goto(studio.url);
  await page.getByRole('button', { name: 'Configurations', exact: true }).click();
  const form = page.getByRole('region', { name: 'New configuration' });
  await form.getByLabel('Target condition').fill("tags.location.building = 'B1'");
  await expect(form.getByTestId('target-preview')).toHaveText('Targets 1 device(s) now.');
  await form.getByLabel('Id (lower case)').fill('comfort-b1');
  await form.getByLabel('Device content (JSON: properties.desired paths)').fill('{ "properties.desired.mode": "comfort" }');
  const received = new Promise<Record<string, unknown>>((resolve) => {
    const listener = (delta: Record<string, unknown>) => {
      if (delta.mode === 'comfort') {
        twin.removeListener('properties.desired', listener);
        resolve(delta);
      }
    };
    twin.on('properties.desired', listener);
  });
  await form.getByRole('button', { name: 'Create configuration' }).click();
  await expect(page.getByTestId('targeted-comfort-b1')).toHaveText('1');
  expect(await received).toMatchObject({ mode: 'comfort' });
  await expect(page.getByTestId('applied-comfort-b1')).toHaveText('1', { timeout: 15_000 });
  await shot('10-configuration-applied.png');

  await device!.sendEvent(new deviceSdk.Message(JSON.stringify({ temperature: 22.5 })));
  await page.getByRole('button', { name: 'Event Hub', exact: true }).click();
  await expect(page.getByTestId('endpoint-event').filter({ hasText: 'e2e-thermostat' }).filter({ hasText: 'temperature' }).first()).toBeVisible();
  await shot('11-event-hub.png');
});
