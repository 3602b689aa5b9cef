import { describe, expect, it } from 'vitest';

import { Router } from '../../../../../emulator/transports/http/router.js';
import { ROUTES } from '../../../../../emulator/transports/http/routes.js';

const router = new Router(ROUTES);

function matched(method: string, path: string): { operation: string; params: Record<string, string> } | string {
  const result = router.match(method, path);
  if (result.kind === 'none') return 'none';
  if (result.kind === 'invalid') return `invalid: ${result.error.code}`;
  return { operation: result.match.route.operation.name, params: result.match.params };
}

describe('the REST route table', () => {
  it('routes every documented operation to its handler', () => {
    expect(matched('GET', '/devices')).toEqual({ operation: 'listDevices', params: {} });
    expect(matched('GET', '/devices/dev1')).toEqual({ operation: 'getDevice', params: { deviceId: 'dev1' } });
    expect(matched('PUT', '/devices/dev1')).toMatchObject({ operation: 'createOrUpdateDevice' });
    expect(matched('DELETE', '/devices/dev1')).toMatchObject({ operation: 'deleteDevice' });
    expect(matched('GET', '/twins/dev1')).toMatchObject({ operation: 'getTwin' });
    expect(matched('PATCH', '/twins/dev1')).toMatchObject({ operation: 'updateTwin' });
    expect(matched('PUT', '/twins/dev1')).toMatchObject({ operation: 'replaceTwin' });
    expect(matched('POST', '/twins/dev1/methods')).toMatchObject({ operation: 'invokeDeviceMethod' });
    expect(matched('DELETE', '/devices/dev1/commands')).toMatchObject({ operation: 'purgeCommandQueue' });
    expect(matched('GET', '/statistics/devices')).toMatchObject({ operation: 'getDeviceStatistics' });
    expect(matched('GET', '/statistics/service')).toMatchObject({ operation: 'getServiceStatistics' });
    expect(matched('POST', '/devices')).toMatchObject({ operation: 'bulkModifyDevices' });
    expect(matched('GET', '/devices/d1/modules')).toMatchObject({ operation: 'listModules', params: { deviceId: 'd1' } });
    expect(matched('PUT', '/devices/d1/modules/m%231')).toMatchObject({ operation: 'createOrUpdateModule', params: { deviceId: 'd1', moduleId: 'm#1' } });
    expect(matched('PATCH', '/twins/d1/modules/m1')).toMatchObject({ operation: 'updateModuleTwin' });
    expect(matched('POST', '/twins/d1/modules/m1/methods')).toMatchObject({ operation: 'invokeModuleMethod' });
  });

  it('treats /devices/ like /devices (Node Registry.list sends the trailing slash)', () => {
    expect(matched('GET', '/devices/')).toEqual({ operation: 'listDevices', params: {} });
    expect(matched('GET', '/twins/dev1/')).toMatchObject({ operation: 'getTwin' });
  });

  it('prefers the literal POST /devices/query over a device called query', () => {
    expect(matched('POST', '/devices/query')).toMatchObject({ operation: 'queryDevices' });
    expect(matched('GET', '/devices/query')).toEqual({ operation: 'getDevice', params: { deviceId: 'query' } });
  });

  it('percent-decodes ids, including encoded slashes, and refuses broken escapes', () => {
    expect(matched('GET', '/devices/a%3Ab%20c')).toMatchObject({ params: { deviceId: 'a:b c' } });
    expect(matched('GET', '/devices/a%2Fb')).toMatchObject({ params: { deviceId: 'a/b' } });
    expect(matched('GET', '/devices/%E0%A4%A')).toBe('invalid: ArgumentInvalid');
  });

  it('matches methods case-insensitively but knows nothing else', () => {
    expect(matched('get', '/devices')).toMatchObject({ operation: 'listDevices' });
    expect(matched('POST', '/twins/dev1')).toBe('none');
    expect(matched('GET', '/jobs/v2/x/y')).toBe('none');
    expect(matched('GET', '/devices//x')).toBe('none');
    expect(matched('GET', '/')).toBe('none');
  });

  it('gives every route a permission', () => {
    for (const route of ROUTES) expect(['RegistryRead', 'RegistryWrite', 'ServiceConnect']).toContain(route.right);
    const needs = (method: string, pattern: string) => ROUTES.find((r) => r.method === method && r.pattern === pattern)?.right;
    expect(needs('GET', '/devices/{deviceId}')).toBe('RegistryRead');
    expect(needs('PUT', '/devices/{deviceId}')).toBe('RegistryWrite');
    expect(needs('DELETE', '/devices/{deviceId}')).toBe('RegistryWrite');
    expect(needs('GET', '/twins/{deviceId}')).toBe('ServiceConnect');
    expect(needs('POST', '/devices/query')).toBe('ServiceConnect');
    expect(needs('POST', '/twins/{deviceId}/methods')).toBe('ServiceConnect');
  });
});
