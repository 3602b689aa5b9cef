import { readFile } from 'node:fs/promises';

import { expect, test } from '@playwright/test';
import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';

import type { DeviceClient } from '../helpers/device-sdk.js';
import { startBrowserMode, waitForStudioTraffic, type StudioProcess } from '../helpers/browser-mode.js';

// Faults from the studio (emulator/faults/README.md): a tester drops a connected device from the Faults view and
// watches, in the Traffic view, the injected fault and the device SDK connecting again.

let studio: StudioProcess;
let device: DeviceClient | undefined;

test.beforeAll(async () => {
  studio = await startBrowserMode();
});

test.afterAll(async () => {
  await device?.close();
  await studio?.stop();
});

test('a tester drops a device from the Faults view and watches it reconnect in the Traffic view', async ({ page }, testInfo) => {
  await page.goto(studio.url);
  await expect(page.getByTestId('hub-status')).toHaveText('Hub Running');

  await test.step('register a device and connect the real SDK with what the Connect tab shows', async () => {
    await page.getByRole('button', { name: '+ Register' }).click();
    await page.getByLabel('Device id').fill('e2e-flaky');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'e2e-flaky' })).toBeVisible();
    await page.getByRole('tab', { name: 'Connect' }).click();
    const connectionString = (await page.getByTestId('connection-string').textContent()) ?? '';
    const caPath = (await page.getByTestId('ca-path').textContent()) ?? '';
    device = deviceSdk.Client.fromConnectionString(connectionString, mqttTransport.Mqtt);
    await device.setOptions({ ca: await readFile(caPath, 'utf8') });
    await device.open();
    // A device app with a twin: the SDK keeps its connection up (and reconnects) for the desired-properties listener.
    (await device.getTwin()).on('properties.desired', () => undefined);
    await expect(page.locator('[data-device-id="e2e-flaky"]').getByText('Connected', { exact: true })).toBeVisible();
  });

  await test.step('drop the device from the Faults view', async () => {
    await page.getByRole('button', { name: 'Faults', exact: true }).click();
    await page.getByLabel('Fault', { exact: true }).selectOption('drop');
    const form = page.getByRole('region', { name: 'Faults' });
    await form.getByLabel('Device id', { exact: true }).fill('e2e-flaky');
    await page.getByRole('button', { name: 'Inject fault' }).click();
    await expect(page.getByRole('status')).toContainText('Injected: Drop the connection now on e2e-flaky.');
  });

  await test.step('the Traffic view shows the injected fault, the disconnect and the SDK connecting again', async () => {
    const dropped = await waitForStudioTraffic(studio, (event) => event.kind === 'fault' && event.deviceId === 'e2e-flaky' && event.topic === 'fault drop → socket destroyed');
    await waitForStudioTraffic(studio, (event) => event.id > dropped.id && event.kind === 'connect' && event.deviceId === 'e2e-flaky' && event.status === 0, 30_000);
    await page.getByRole('button', { name: 'Traffic', exact: true }).click();
    await expect(page.locator('[data-kind="fault"]', { hasText: 'fault drop → socket destroyed' })).toBeVisible();
    await expect(page.locator('[data-kind="disconnect"]', { hasText: 'e2e-flaky' })).toHaveCount(1);
    await expect(page.locator('[data-kind="connect"]', { hasText: 'e2e-flaky' })).toHaveCount(2);
    await page.screenshot({ path: testInfo.outputPath('faults-reconnected.png'), fullPage: true });
  });

  await test.step('the device is Connected again in the device list', async () => {
    await page.getByRole('button', { name: 'Devices', exact: true }).click();
    await expect(page.locator('[data-device-id="e2e-flaky"]').getByText('Connected', { exact: true })).toBeVisible();
  });
});
