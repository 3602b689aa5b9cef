import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deviceToken } from '../helpers/raw-mqtt.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually, waitForSubscription } from '../helpers/wait-for.js';

const run = promisify(execFile);
const hasMosquitto = existsSync('/usr/bin/mosquitto_sub') && existsSync('/usr/bin/mosquitto_pub');

/** Debian's mosquitto-clients as plain MQTT 3.1.1 clients (installed by .ci/run; skipped where absent). */
describe.skipIf(!hasMosquitto)('Debian mosquitto_pub / mosquitto_sub as devices', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
    await hub.hub.registry.create({ deviceId: 'mosq-sub' });
    await hub.hub.registry.create({ deviceId: 'mosq-pub' });
  });
  afterAll(async () => {
    await hub.dispose();
  });

  function connectArgs(deviceId: string): string[] {
    const key = hub.hub.registry.get(deviceId).authentication.symmetricKey.primaryKey;
    return [
      '-h', '127.0.0.1', '-p', String(hub.hub.info.ports.mqtts), '--cafile', hub.hub.info.caCertPath,
      '-V', 'mqttv311', '-i', deviceId, '-u', `localhost/${deviceId}/?api-version=2021-04-12`,
      '-P', deviceToken(hub.hub, deviceId, key),
    ];
  }

  it('mosquitto_sub receives a desired patch made through the service layer', async () => {
    const sub = spawn('mosquitto_sub', [...connectArgs('mosq-sub'), '-t', '$iothub/twin/PATCH/properties/desired/#', '-C', '1', '-v']);
    let output = '';
    sub.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => sub.once('exit', resolve));
    await waitForSubscription(hub.hub, 'mosq-sub', '$iothub/twin/PATCH/properties/desired/#');
    await hub.hub.twins.updateTwin('mosq-sub', { properties: { desired: { led: 'green' } } });
    expect(await exited).toBe(0);
    expect(output.trim()).toBe('$iothub/twin/PATCH/properties/desired/?$version=2 {"led":"green","$version":2}');
  });

  it('mosquitto_pub sends QoS 1 telemetry and a reported patch that lands in the twin', async () => {
    const telemetry = new Promise<string>((resolve) => {
      const dispose = hub.hub.events.on('telemetryReceived', (event) => {
        dispose();
        resolve(event.body.toString());
      });
    });
    await run('mosquitto_pub', [...connectArgs('mosq-pub'), '-t', 'devices/mosq-pub/messages/events/', '-q', '1', '-m', '{"t":21}']);
    expect(await telemetry).toBe('{"t":21}');
    await run('mosquitto_pub', [...connectArgs('mosq-pub'), '-t', '$iothub/twin/PATCH/properties/reported/?$rid=1', '-m', '{"viaMosquitto":true}']);
    await eventually(() => {
      const twin = hub.hub.twins.getServiceTwin('mosq-pub') as { properties: { reported: Record<string, unknown> } };
      return twin.properties.reported.viaMosquitto === true;
    }, 5000, 'reported patch from mosquitto_pub');
  });

  it('mosquitto_sub with a wrong key is refused (not authorised)', async () => {
    const args = connectArgs('mosq-sub');
    args[args.indexOf('-P') + 1] = deviceToken(hub.hub, 'mosq-sub', Buffer.alloc(32, 9).toString('base64'));
    const result = await run('mosquitto_sub', [...args, '-t', '$iothub/twin/res/#', '-C', '1', '-W', '3']).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/not authori[sz]ed/i);
  });
});
