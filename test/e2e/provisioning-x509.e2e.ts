import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import { expect, test } from '@playwright/test';
import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import provisioningDevice from 'azure-iot-provisioning-device';
import provisioningMqtt from 'azure-iot-provisioning-device-mqtt';
import symmetricKey from 'azure-iot-security-symmetric-key';

import type { DeviceClient } from '../helpers/device-sdk.js';
import { startBrowserMode, type StudioProcess } from '../helpers/browser-mode.js';

// X.509 devices and the Device Provisioning Service through the studio in a real browser (browser mode, Debian's
// Chromium): a device registered with an X.509 certificate in the UI, its files downloaded from the page and used
// by the real azure-iot-device client in this process; then an enrollment group created in the Provisioning view
// and a device that provisions itself with the real azure-iot-provisioning-device (MQTT) and the key the view derives.

let studio: StudioProcess;
const devices: DeviceClient[] = [];

test.beforeAll(async () => {
  studio = await startBrowserMode();
});

test.afterAll(async () => {
  for (const device of devices) await device.close().catch(() => undefined);
  await studio?.stop();
});

function hubInfo() {
  const info = studio.hub.info;
  if (!info) throw new Error('the studio hub is not running');
  return info;
}

test('an X.509 device registered in the studio connects with the downloaded files and shows online', async ({ page }, testInfo) => {
  await page.goto(studio.url);
  await expect(page.getByTestId('hub-status')).toHaveText('Hub Running');

  await page.getByRole('button', { name: '+ Register' }).click();
  await page.getByLabel('Device id').fill('x509-e2e');
  await page.getByLabel('Authentication').selectOption('selfSigned');
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  const files = page.getByRole('region', { name: 'X.509 device files' });
  await expect(files).toContainText('self-signed, thumbprint');

  const download = async (name: string) => {
    const [file] = await Promise.all([page.waitForEvent('download'), files.getByRole('link', { name }).click()]);
    const path = testInfo.outputPath(file.suggestedFilename());
    await file.saveAs(path);
    return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
  };
  const certificate = await download('Download certificate');
  const key = await download('Download private key');
  expect(certificate).toMatchObject({ name: 'x509-e2e.pem', text: expect.stringContaining('-----BEGIN CERTIFICATE-----') as unknown });
  expect(key).toMatchObject({ name: 'x509-e2e-key.pem', text: expect.stringContaining('PRIVATE KEY-----') as unknown });
  const connectionString = (await files.locator('code.secret').first().textContent()) ?? '';
  expect(connectionString).toBe(`HostName=localhost:${hubInfo().ports.mqtts};DeviceId=x509-e2e;x509=true`);
  await page.screenshot({ path: testInfo.outputPath('01-x509-files.png'), fullPage: true });
  await files.getByRole('button', { name: 'Done' }).click();

  const device = deviceSdk.Client.fromConnectionString(connectionString, mqttTransport.Mqtt);
  devices.push(device);
  await device.setOptions({ ca: await readFile(hubInfo().caCertPath, 'utf8'), cert: certificate.text, key: key.text });
  await device.open();
  const row = page.locator('[data-device-id="x509-e2e"]');
  await expect(row.getByText('Connected', { exact: true })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('02-x509-online.png'), fullPage: true });
});

test('an enrollment group created in the Provisioning view provisions a device, which appears in the history and the device list', async ({ page }, testInfo) => {
  await page.goto(studio.url);
  await page.getByRole('button', { name: 'Provisioning', exact: true }).click();
  const idScope = (await page.getByTestId('id-scope').textContent()) ?? '';
  expect(idScope).toMatch(/^0ne[0-9A-F]{8}$/i);

  const form = page.getByRole('form', { name: 'Add enrollment group' });
  await form.getByLabel('Enrollment group id').fill('e2e-fleet');
  await form.getByLabel('Initial tags (JSON)').fill('{"fleet":"e2e"}');
  await form.getByLabel('Initial desired (JSON)').fill('{"interval":20}');
  await form.getByRole('button', { name: 'Add group' }).click();
  await expect(page.getByRole('region', { name: 'Enrollment groups' })).toContainText('e2e-fleet');

  const helper = page.getByRole('region', { name: 'Derive device key' });
  await helper.getByLabel('Registration id').fill('e2e-member-1');
  await helper.getByRole('button', { name: 'Derive' }).click();
  const derivedKey = (await page.getByTestId('derived-key').textContent()) ?? '';
  expect(derivedKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);

  // The device's side, as a fleet device runs it: DPS over MQTT on the hub's MQTT/TLS port, then the assigned hub.
  const ca = await readFile(hubInfo().caCertPath, 'utf8');
  const requireFrom = createRequire(createRequire(import.meta.url).resolve('azure-iot-provisioning-device-mqtt'));
  const { MqttBase } = requireFrom('azure-iot-mqtt-base') as { MqttBase: new () => { setOptions(options: object): void } };
  const base = new MqttBase();
  base.setOptions({ ca });
  const registration = provisioningDevice.ProvisioningDeviceClient.create(
    `localhost:${hubInfo().ports.mqtts}`,
    idScope,
    new provisioningMqtt.Mqtt(base as never) as never,
    new symmetricKey.SymmetricKeySecurityClient('e2e-member-1', derivedKey) as never,
  );
  const result = (await registration.register()) as unknown as { assignedHub: string; deviceId: string; status: string };
  expect(result).toMatchObject({ deviceId: 'e2e-member-1', status: 'assigned' });

  const history = page.getByTestId('registrations');
  await expect(history.locator('tr', { hasText: 'e2e-member-1' })).toContainText('assigned (initialAssignment)');
  await expect(history.locator('tr', { hasText: 'e2e-member-1' })).toContainText('e2e-fleet');
  await page.screenshot({ path: testInfo.outputPath('03-provisioned.png'), fullPage: true });

  const device = deviceSdk.Client.fromConnectionString(`HostName=${result.assignedHub};DeviceId=${result.deviceId};SharedAccessKey=${derivedKey};GatewayHostName=localhost:${hubInfo().ports.mqtts}`, mqttTransport.Mqtt);
  devices.push(device);
  await device.setOptions({ ca });
  await device.open();
  expect((await device.getTwin()).properties.desired).toMatchObject({ interval: 20 });

  await page.getByRole('button', { name: 'Devices', exact: true }).click();
  const row = page.locator('[data-device-id="e2e-member-1"]');
  await expect(row.getByText('Connected', { exact: true })).toBeVisible();
  await row.click();
  await expect(page.getByRole('heading', { name: 'e2e-member-1' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('04-provisioned-device.png'), fullPage: true });
});
