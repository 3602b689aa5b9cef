import { describe, expect, it } from 'vitest';

import { parseRoutingFile, quickRoute } from '../../../../emulator/cli/routes-file.js';

describe('routing on the hub CLI', () => {
  it('reads the routing object of an ARM template (also nested in properties), with the fallback', () => {
    const routing = { routes: [{ name: 'hot', source: 'DeviceMessages', condition: '$body.t > 30', endpointNames: ['events'], isEnabled: true }], fallbackRoute: { isEnabled: false } };
    expect(parseRoutingFile(JSON.stringify({ routing }), 'r.json')).toEqual({ routes: routing.routes, fallbackEnabled: false });
    expect(parseRoutingFile(JSON.stringify({ properties: { routing } }), 'r.json').routes).toHaveLength(1);
    expect(parseRoutingFile(JSON.stringify({ routes: [] }), 'r.json')).toEqual({ routes: [], fallbackEnabled: true });
  });

  it('names what is wrong in a routing file', () => {
    expect(() => parseRoutingFile('{', 'r.json')).toThrow(/--routes r\.json: not JSON/);
    expect(() => parseRoutingFile(JSON.stringify({ routes: [{ name: 'x', source: 'Nope', endpointNames: ['events'] }] }), 'r.json')).toThrow(/routes\[0\]\.source must be one of/);
    expect(() => parseRoutingFile(JSON.stringify({ routes: [{ name: 'x', source: 'DeviceMessages', endpointNames: 'events' }] }), 'r.json')).toThrow(/endpointNames must be an array/);
  });

  it('makes a quick route from a source and an optional condition after the first colon', () => {
    expect(quickRoute('TwinChangeEvents', 0)).toEqual({ name: 'route-1-TwinChangeEvents', source: 'TwinChangeEvents', condition: 'true', endpointNames: ['events'], isEnabled: true });
    expect(quickRoute('devicemessages:$body.temperature > 30', 1)).toMatchObject({ source: 'DeviceMessages', condition: '$body.temperature > 30' });
    expect(() => quickRoute('Telemetry', 0)).toThrow(/unknown source 'Telemetry'/);
  });
});
