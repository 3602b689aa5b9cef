import { describe, expect, it } from 'vitest';

import { parseHubArgs } from '../../../../emulator/cli/hub-args.js';

describe('npm run hub arguments', () => {
  it('maps options onto the emulator config', () => {
    const options = parseHubArgs(['--data-dir', '/d', '--mqtts-port', '0', '--https-port', 'off', '--mqtt-port', '1883', '--device', 'a', '--device', 'b', '--json', '--no-fsync']);
    expect(options.config).toMatchObject({ dataDir: '/d', fsync: false, persistence: 'file', ports: { mqtts: 0, https: null, mqtt: 1883 } });
    expect(parseHubArgs(['--amqps-port', 'off']).config.ports).toEqual({ amqps: null });
    expect(parseHubArgs(['--amqp-dev-port', '5672']).config.ports).toEqual({ amqpDev: 5672 });
    expect(options.devices).toEqual(['a', 'b']);
    expect(options.json).toBe(true);
  });

  it('names the option in errors', () => {
    expect(() => parseHubArgs(['--mqtts-port', 'off'])).toThrow(/--mqtts-port/);
    expect(() => parseHubArgs(['--https-port', '70000'])).toThrow(/--https-port/);
    expect(() => parseHubArgs(['--bogus'])).toThrow(/bogus/);
  });

  it('reads X.509 devices: self-signed and CA-signed, devices and <device>/<module>', () => {
    const options = parseHubArgs(['--device-x509', 'a', '--device-x509-ca', 'b/m', '--device-x509', 'c']);
    expect(options.x509Devices).toEqual([
      { deviceId: 'a', mode: 'selfSigned' },
      { deviceId: 'c', mode: 'selfSigned' },
      { deviceId: 'b', moduleId: 'm', mode: 'caSigned' },
    ]);
    expect(parseHubArgs([]).x509Devices).toEqual([]);
    expect(() => parseHubArgs(['--device-x509-ca', 'b/'])).toThrow(/--device-x509-ca/);
  });
});
