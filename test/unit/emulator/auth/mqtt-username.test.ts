import { endpoint } from 'azure-iot-common';
import { getUserAgentString } from 'azure-iot-device';
import { describe, expect, it } from 'vitest';

import { parseMqttUsername } from '../../../../emulator/auth/mqtt-username.js';
import type { MqttUsername } from '../../../../emulator/auth/mqtt-username.js';

function parsed(username: string, clientId: string): MqttUsername {
  const result = parseMqttUsername(username, clientId);
  if (!result.ok) throw new Error(`expected a username, got: ${result.error}`);
  return result.value;
}

describe('usernames sent by the SDKs', () => {
  it('parses the exact Node SDK username observed in sdk-notes.md §3', () => {
    const value = parsed(
      'localhost/dev1/?api-version=2021-04-12&DeviceClientType=azure-iot-device%2F1.18.4%20(node%20v20.20.2%3B%20Debian%2012%3B%20x64)',
      'dev1',
    );
    expect(value).toEqual({
      hostName: 'localhost',
      clientId: 'dev1',
      deviceId: 'dev1',
      apiVersion: '2021-04-12',
      params: {
        'api-version': '2021-04-12',
        DeviceClientType: 'azure-iot-device/1.18.4 (node v20.20.2; Debian 12; x64)',
      },
    });
    expect(value.moduleId).toBeUndefined();
    expect(value.modelId).toBeUndefined();
  });

  it('parses a username built the way azure-iot-device-mqtt builds it, with a raw model-id', async () => {
    const agent = await getUserAgentString();
    const username = `localhost/dev1/${endpoint.versionQueryString()}&model-id=dtmi:com:example:Thermostat;1&DeviceClientType=${encodeURIComponent(agent)}`;
    const value = parsed(username, 'dev1');
    expect(value.apiVersion).toBe(endpoint.apiVersion);
    expect(value.modelId).toBe('dtmi:com:example:Thermostat;1');
    expect(value.params.DeviceClientType).toBe(agent);
  });

  it('parses the Python form with an encoded model-id', () => {
    const value = parsed(
      'hub.azure-devices.net/dev1/?api-version=2020-09-30&DeviceClientType=py-azure-iot-device%2F2.14.0%28native%3B%20Linux%29&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1',
      'dev1',
    );
    expect(value.hostName).toBe('hub.azure-devices.net');
    expect(value.apiVersion).toBe('2020-09-30');
    expect(value.modelId).toBe('dtmi:com:example:Thermostat;1');
    expect(value.params.DeviceClientType).toBe('py-azure-iot-device/2.14.0(native; Linux)');
  });

  it('parses the C form with lower-case escapes', () => {
    const value = parsed(
      'hub.azure-devices.net/dev1/?api-version=2020-09-30&DeviceClientType=iothubclient%2f1.9.1%20(native%3b%20Linux%3b%20armv7l)',
      'dev1',
    );
    expect(value.params.DeviceClientType).toBe('iothubclient/1.9.1 (native; Linux; armv7l)');
  });

  it('parses the C# form with model-id and auth-chain', () => {
    const value = parsed(
      'hub.azure-devices.net/dev1/?api-version=2020-09-30&DeviceClientType=Microsoft.Azure.Devices.Client%2F1.41.0%20%28.NET%206.0%29&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1&auth-chain=leaf%3Bedge',
      'dev1',
    );
    expect(value.modelId).toBe('dtmi:com:example:Thermostat;1');
    expect(value.params['auth-chain']).toBe('leaf;edge');
  });

  it('accepts /api-version=… without a question mark, any api-version, and a port in the host', () => {
    const value = parsed('Hub.Example:8883/dev1/api-version=2018-06-30', 'dev1');
    expect(value.hostName).toBe('Hub.Example:8883');
    expect(value.apiVersion).toBe('2018-06-30');
    expect(parsed('h/dev1/?api-version=1999-01-01-preview&x=1', 'dev1').apiVersion).toBe('1999-01-01-preview');
  });

  it('accepts a bare <host>/<clientId> with or without a trailing slash', () => {
    expect(parsed('h/dev1', 'dev1').params).toEqual({});
    expect(parsed('h/dev1/', 'dev1').apiVersion).toBeUndefined();
  });

  it('keeps unknown keys in params and lets the first occurrence win', () => {
    const value = parsed('h/d/?api-version=1&foo=bar&api-version=2&flag', 'd');
    expect(value.apiVersion).toBe('1');
    expect(value.params).toEqual({ 'api-version': '1', foo: 'bar', flag: '' });
  });

  it('does not let a __proto__ parameter touch the prototype', () => {
    const value = parsed('h/d/?__proto__=x&constructor=y', 'd');
    expect(value.params.__proto__).toBe('x');
    expect(Object.keys(value.params)).toEqual(['__proto__', 'constructor']);
  });
});

describe('identity from the ClientId', () => {
  it('parses a module ClientId', () => {
    const value = parsed('h/dev1/mod1/?api-version=2021-04-12', 'dev1/mod1');
    expect(value).toMatchObject({ clientId: 'dev1/mod1', deviceId: 'dev1', moduleId: 'mod1', apiVersion: '2021-04-12' });
  });

  it('handles device ids containing ?, =, @ and : without splitting on ?', () => {
    for (const deviceId of ['dev?x=1', 'a=b', 'user@site:1', '?api-version=x']) {
      const value = parsed(`h/${deviceId}/?api-version=2021-04-12&model-id=m`, deviceId);
      expect(value.deviceId).toBe(deviceId);
      expect(value.apiVersion).toBe('2021-04-12');
      expect(value.modelId).toBe('m');
    }
  });

  it.each([
    ['a different device', 'h/dev2/?api-version=1', 'dev1'],
    ['a device id that only starts with the ClientId', 'h/dev1x/?api-version=1', 'dev1'],
    ['a ClientId followed directly by ?', 'h/dev1?api-version=1', 'dev1'],
    ['a module username for a device ClientId mismatch', 'h/dev1/?api-version=1', 'dev1/mod1'],
    ['no host', '/dev1/?api-version=1', 'dev1'],
    ['no slash at all', 'dev1', 'dev1'],
    ['an empty ClientId', 'h//?api-version=1', ''],
    ['an empty module id', 'h/dev1/', 'dev1/'],
    ['a ClientId with two slashes', 'h/a/b/c/', 'a/b/c'],
    ['a module path after a device ClientId', 'h/dev1/mod1/?api-version=1', 'dev1'],
    ['extra segments without parameters', 'h/dev1/x/y', 'dev1'],
  ])('refuses %s', (_name, username, clientId) => {
    const result = parseMqttUsername(username, clientId);
    expect(result.ok).toBe(false);
  });
});

describe('lenient percent-decoding', () => {
  it('keeps malformed escapes as raw text instead of throwing', () => {
    const value = parsed('h/d/?api-version=2021-04-12&DeviceClientType=50%25%20off%zz%&model-id=dtmi%3Ax%E0%A4%A', 'd');
    expect(value.params.DeviceClientType).toBe('50% off%zz%');
    expect(value.modelId).toBe('dtmi:x%E0%A4%A');
  });

  it('decodes multi-byte UTF-8 escapes', () => {
    expect(parsed('h/d/?k=%C3%A9t%C3%A9', 'd').params.k).toBe('été');
  });

  it('treats + literally', () => {
    expect(parsed('h/d/?k=a+b', 'd').params.k).toBe('a+b');
  });
});
