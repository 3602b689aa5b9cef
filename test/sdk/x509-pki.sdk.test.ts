import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import deviceSdk from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEVICE_CA_CERTIFICATE_NAME } from '../../emulator/index.js';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';
import { openOutcome, x509Connack } from '../helpers/x509-device.js';

const run = promisify(execFile);
const hasMosquittoPub = existsSync('/usr/bin/mosquitto_pub');

// The built-in test PKI (issue 12 §2): `emulator.x509.create` and `npm run hub -- --device-x509[-ca]` make devices whose
// files and connection strings work as printed with the unmodified SDK and with mosquitto_pub, no openssl involved.

describe('built-in X.509 test PKI at the front door (emulator.x509)', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({ ports: { https: 0 } });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('makes a self-signed device: identity with its thumbprint, PEM files (key 0600), a connection string the SDK uses as printed', async () => {
    const made = await hub.hub.x509.create({ deviceId: 'pki-self', mode: 'selfSigned' });
    expect(made).toMatchObject({ registered: true, mode: 'selfSigned', certPath: join(hub.dataDir, 'certs', 'devices', 'pki-self.pem') });
    expect(hub.hub.registry.get('pki-self').authentication).toMatchObject({ type: 'selfSigned', x509Thumbprint: { primaryThumbprint: made.thumbprint, secondaryThumbprint: null } });
    expect((await stat(made.keyPath)).mode & 0o777).toBe(0o600);
    expect(made.connectionString).toBe(`HostName=localhost:${hub.hub.info.ports.mqtts};DeviceId=pki-self;x509=true`);
    // The front door's connection string of an X.509 identity is this one too (never a SAS string with an empty key).
    expect(hub.hub.deviceConnectionString('pki-self')).toBe(made.connectionString);
    const client = deviceSdk.Client.fromConnectionString(made.connectionString, mqttTransport.Mqtt);
    await client.setOptions({ ca: await readFile(hub.hub.info.caCertPath, 'utf8'), cert: await readFile(made.certPath, 'utf8'), key: await readFile(made.keyPath, 'utf8') });
    await client.open();
    await client.sendEvent(new deviceSdk.Message('{"pki":"self"}'));
    await client.close();
    await eventually(() => hub.hub.telemetry.recent('pki-self').length > 0, 5000, 'telemetry');
  });

  it('makes CA-signed devices and modules: the device CA is registered and verified once, its files are kept in certs/', async () => {
    const first = await hub.hub.x509.create({ deviceId: 'pki-ca', mode: 'caSigned' });
    const ca = hub.hub.certificates.get(DEVICE_CA_CERTIFICATE_NAME);
    expect(ca).toMatchObject({ isVerified: true, subject: 'CN=Twin Studio Device CA', verificationCode: null });
    expect(hub.hub.registry.get('pki-ca').authentication.type).toBe('certificateAuthority');
    expect(await openOutcome(hub.hub, 'pki-ca', first)).toBe('connected');
    const module = await hub.hub.x509.create({ deviceId: 'pki-ca', moduleId: 'edge', mode: 'caSigned' });
    expect(module.certPath.endsWith('pki-ca%2Fedge.pem')).toBe(true);
    expect(hub.hub.certificates.get(DEVICE_CA_CERTIFICATE_NAME).etag).toBe(ca.etag);
    expect(await x509Connack(hub.hub, 'pki-ca/edge', module)).toBe(0);
    expect(hub.hub.moduleConnectionString('pki-ca', 'edge')).toBe(`HostName=localhost:${hub.hub.info.ports.mqtts};DeviceId=pki-ca;ModuleId=edge;x509=true`);
    expect(existsSync(join(hub.dataDir, 'certs', 'device-ca.pem'))).toBe(true);
    expect((await stat(join(hub.dataDir, 'certs', 'device-ca-key.pem'))).mode & 0o777).toBe(0o600);
  });

  it('switches an existing SAS device to the new certificate, and refuses an id that breaks the registry rules before writing files', async () => {
    await hub.hub.registry.create({ deviceId: 'was-sas' });
    const made = await hub.hub.x509.create({ deviceId: 'was-sas', mode: 'selfSigned' });
    expect(made.registered).toBe(false);
    expect(hub.hub.registry.get('was-sas').authentication).toMatchObject({ type: 'selfSigned', symmetricKey: { primaryKey: '' } });
    expect(await openOutcome(hub.hub, 'was-sas', made)).toBe('connected');
    await expect(hub.hub.x509.create({ deviceId: 'bad id', mode: 'selfSigned' })).rejects.toMatchObject({ code: 'ArgumentInvalid' });
    expect(existsSync(join(hub.dataDir, 'certs', 'devices', 'bad%20id.pem'))).toBe(false);
  });
});

describe('npm run hub -- --device-x509 / --device-x509-ca (real CLI process)', () => {
  let dataDir: string;
  let hub: HubProcess;
  type Ready = { x509Devices: Record<string, { mode: string; certPath: string; keyPath: string; thumbprint: string; connectionString: string }> };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'twin-x509-cli-'));
    hub = await startHubProcess([
      '--data-dir', dataDir, '--bind', '127.0.0.1', '--mqtts-port', '0', '--https-port', 'off', '--amqps-port', 'off', '--no-fsync',
      '--device-x509', 'cli-self', '--device-x509-ca', 'cli-ca',
    ]);
  });
  afterAll(async () => {
    await hub?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the files and an x509=true connection string for each device, which connect as printed', async () => {
    const { x509Devices } = hub.info as unknown as Ready;
    expect(Object.keys(x509Devices)).toEqual(['cli-self', 'cli-ca']);
    const port = hub.info.ports.mqtts;
    for (const [deviceId, device] of Object.entries(x509Devices)) {
      expect(device.connectionString).toBe(`HostName=localhost:${port};DeviceId=${deviceId};x509=true`);
      const client = deviceSdk.Client.fromConnectionString(device.connectionString, mqttTransport.Mqtt);
      await client.setOptions({ ca: await readFile(hub.info.caCertPath, 'utf8'), cert: await readFile(device.certPath, 'utf8'), key: await readFile(device.keyPath, 'utf8') });
      await client.open();
      await client.sendEvent(new deviceSdk.Message(`{"from":"${deviceId}"}`));
      await client.close();
    }
    expect(x509Devices['cli-ca']?.mode).toBe('caSigned');
  });

  it.skipIf(!hasMosquittoPub)('mosquitto_pub connects with --cert --key --cafile and no password (skipped only when /usr/bin/mosquitto_pub is absent)', async () => {
    const { x509Devices } = hub.info as unknown as Ready;
    for (const deviceId of ['cli-self', 'cli-ca']) {
      const device = x509Devices[deviceId];
      if (!device) throw new Error(`no ${deviceId} in the ready line`);
      const args = [
        '-h', '127.0.0.1', '-p', String(hub.info.ports.mqtts), '--cafile', hub.info.caCertPath, '--cert', device.certPath, '--key', device.keyPath,
        '-V', 'mqttv311', '-i', deviceId, '-u', `localhost/${deviceId}/?api-version=2021-04-12`,
        '-t', `devices/${deviceId}/messages/events/`, '-q', '1', '-m', '{"via":"mosquitto"}',
      ];
      await expect(run('mosquitto_pub', args)).resolves.toBeDefined();
      // A certificate the hub does not know: mosquitto_pub reports the refusal and exits non-zero.
      const other = x509Devices[deviceId === 'cli-self' ? 'cli-ca' : 'cli-self'];
      const refused = run('mosquitto_pub', args.map((arg) => (arg === device.certPath ? (other?.certPath ?? '') : arg === device.keyPath ? (other?.keyPath ?? '') : arg)));
      await expect(refused).rejects.toMatchObject({ stderr: expect.stringMatching(/not authori[sz]ed|refused/i) });
    }
  });
});
