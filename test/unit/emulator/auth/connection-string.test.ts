import { ConnectionString as DeviceConnectionString } from 'azure-iot-device';
import { ConnectionString as ServiceConnectionString } from 'azure-iothub';
import { describe, expect, it } from 'vitest';

import {
  formatDeviceConnectionString,
  formatServiceConnectionString,
  parseConnectionString,
} from '../../../../emulator/auth/connection-string.js';

const KEY = 'n3GFK7x1uQo0XQ8WfQhF1f0vA6pZCj1kq4rJmCq9b2E=';

describe('parseConnectionString', () => {
  it('splits on ; and only the first =, so base64 padding survives', () => {
    expect(parseConnectionString(`HostName=localhost;DeviceId=dev1;SharedAccessKey=${KEY}`)).toEqual({
      HostName: 'localhost',
      DeviceId: 'dev1',
      SharedAccessKey: KEY,
    });
  });

  it('keeps a SharedAccessSignature value whole', () => {
    const sas = 'SharedAccessSignature sr=localhost%2Fdevices%2Fd&sig=abc%3D&se=1';
    expect(parseConnectionString(`HostName=h;DeviceId=d;SharedAccessSignature=${sas}`).SharedAccessSignature).toBe(sas);
  });

  it('skips empty and key-less segments, trims the whole string and keys, keeps the last duplicate', () => {
    expect(parseConnectionString('  HostName=a; ;junk;=x; DeviceId=d;HostName=b;\n')).toEqual({ HostName: 'b', DeviceId: 'd' });
  });

  it('treats __proto__ as an ordinary key', () => {
    const parsed = parseConnectionString('__proto__=x;HostName=h');
    expect(parsed.__proto__).toBe('x');
    expect(Object.keys(parsed)).toEqual(['__proto__', 'HostName']);
  });
});

describe('formatting', () => {
  it('formats a device connection string that round-trips and that the device SDK accepts', () => {
    const text = formatDeviceConnectionString({ hostName: 'localhost', deviceId: 'dev1', sharedAccessKey: KEY });
    expect(text).toBe(`HostName=localhost;DeviceId=dev1;SharedAccessKey=${KEY}`);
    expect(parseConnectionString(text)).toEqual({ HostName: 'localhost', DeviceId: 'dev1', SharedAccessKey: KEY });
    const sdk = DeviceConnectionString.parse(text);
    expect([sdk.HostName, sdk.DeviceId, sdk.SharedAccessKey]).toEqual(['localhost', 'dev1', KEY]);
  });

  it('adds ModuleId and GatewayHostName when given', () => {
    const text = formatDeviceConnectionString({
      hostName: 'localhost',
      deviceId: 'dev1',
      moduleId: 'mod1',
      sharedAccessKey: KEY,
      gatewayHostName: 'localhost:8884',
    });
    expect(text).toBe(`HostName=localhost;DeviceId=dev1;ModuleId=mod1;SharedAccessKey=${KEY};GatewayHostName=localhost:8884`);
    expect(parseConnectionString(text)).toEqual({
      HostName: 'localhost',
      DeviceId: 'dev1',
      ModuleId: 'mod1',
      SharedAccessKey: KEY,
      GatewayHostName: 'localhost:8884',
    });
  });

  it('formats a service connection string that round-trips and that the service SDK accepts', () => {
    const text = formatServiceConnectionString({ hostName: 'localhost', policyName: 'iothubowner', sharedAccessKey: KEY });
    expect(text).toBe(`HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=${KEY}`);
    expect(parseConnectionString(text)).toEqual({ HostName: 'localhost', SharedAccessKeyName: 'iothubowner', SharedAccessKey: KEY });
    const sdk = ServiceConnectionString.parse(text);
    expect(sdk.SharedAccessKeyName).toBe('iothubowner');
  });
});
