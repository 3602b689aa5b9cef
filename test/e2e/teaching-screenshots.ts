// Screenshots of the teaching views for the README, light and dark (issue 18). Not a test and not run by CI:
//   npm run build && npx tsx test/e2e/teaching-screenshots.ts
// It starts the built studio in browser mode on free ports, connects a real azure-iot-device client, makes a short
// twin history, and writes docs/screenshots/teach-<panel>-<light|dark>.png (Debian's Chromium, as the e2e tests).
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from '@playwright/test';
import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';

import { updateReported } from '../helpers/device-sdk.js';
import { callStudio, startBrowserMode, waitForStudioTraffic } from '../helpers/browser-mode.js';

const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const DEVICE = 'myDeviceId';

const studio = await startBrowserMode();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const device = await (async () => {
  await callStudio(studio, 'devices.create', { deviceId: DEVICE });
  const details = await callStudio(studio, 'devices.get', { deviceId: DEVICE });
  const client = deviceSdk.Client.fromConnectionString(details.connectionString, mqttTransport.Mqtt);
  await client.setOptions({ ca: await readFile(studio.hub.info?.caCertPath ?? '', 'utf8') });
  await client.open();
  return client;
})();
try {
  await mkdir(out, { recursive: true });
  const twin = await device.getTwin();
  twin.on('properties.desired', (delta: Record<string, unknown>) => {
    const { $version: _v, ...patch } = delta;
    void updateReported(twin, patch);
  });
  await waitForStudioTraffic(studio, (event) => event.kind === 'subscribe' && event.deviceId === DEVICE && event.payload.includes('properties/desired'));
  const write = async (patch: { tags?: Record<string, unknown>; desired?: Record<string, unknown> }) => {
    const current = await callStudio(studio, 'twin.get', { deviceId: DEVICE });
    await callStudio(studio, 'twin.update', { deviceId: DEVICE, patch: patch as never, etag: current.etag });
  };
  await write({ tags: { location: { region: 'US', plant: 'Redmond43' } } });
  await updateReported(twin, { connectivity: { type: 'cellular' } });
  await write({ desired: { telemetryConfig: { sendFrequency: '5m' } } });
  await new Promise((done) => setTimeout(done, 500));
  await write({ desired: { telemetryConfig: { sendFrequency: '30m' } } });
  await new Promise((done) => setTimeout(done, 500));

  for (const scheme of ['light', 'dark'] as const) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(studio.url);
    await page.getByRole('button', { name: 'Teach', exact: true }).click();
    const shot = (panel: string) => page.screenshot({ path: join(out, `teach-${panel}-${scheme}.png`) });
    const open = async (panel: string) => page.getByRole('tab', { name: panel, exact: true }).click();

    await page.getByRole('button', { name: 'Start: Optimistic concurrency with etags' }).click();
    await page.getByRole('button', { name: 'Register etag-device' }).click();
    await page.getByTestId('lesson-check').and(page.locator('[data-ok="true"]')).waitFor();
    await shot('lessons');

    await open('Timeline');
    await page.getByLabel('Device', { exact: true }).selectOption(DEVICE);
    await page.locator('[data-path="properties.desired.telemetryConfig.sendFrequency"]').click();
    await page.getByLabel('From version').selectOption('2');
    await shot('timeline');

    await open('Sequence');
    await page.getByLabel('Sequence device').selectOption(DEVICE);
    await page.locator('.seq-arrow').filter({ hasText: 'desired notification' }).last().click();
    await shot('sequence');

    await open('Step-through');
    await page.getByLabel('Hold messages to devices').check();
    await page.getByLabel('Which devices').selectOption(DEVICE);
    await write({ desired: { telemetryConfig: { sendFrequency: scheme === 'light' ? '1h' : '2h' } } });
    await page.getByTestId('held-list').waitFor();
    await shot('step-through');
    await page.getByRole('button', { name: 'Release all' }).click();
    await page.getByLabel('Hold messages to devices').uncheck();

    await open('Snapshots');
    await page.getByLabel('Snapshot name').fill('before class');
    await page.getByRole('button', { name: 'Save snapshot' }).click();
    await page.getByTestId('snapshots-table').waitFor();
    await shot('snapshots');
    await context.close();
  }
  for (const scheme of ['light', 'dark']) {
    for (const panel of ['lessons', 'timeline', 'sequence', 'step-through', 'snapshots']) {
      const file = join(out, `teach-${panel}-${scheme}.png`);
      console.log(`${file}: ${Math.round((await stat(file)).size / 1024)} KB`);
    }
  }
} finally {
  await device.close();
  await browser.close();
  await studio.stop();
}


