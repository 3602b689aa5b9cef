import { describe, expect, it } from 'vitest';

import { parseRoutingFile, quickRoute } from '../../../../emulator/cli/routes-file.js';

describe('routing on the hub CLI', () => {
  it('reads the routing object of an ARM template (also nested in properties), with the fallback', () => {
    const routing = { routes: [{ name: 'hot', source: 'DeviceMessages', condition: '$body.t > 30', endpointNames: ['events'], isEnabled: true }], fallbackRoute: { isEnabled: false } };
    expect(parseRoutingFile(JSON.stringify({ routing }), 'r.json')).toMatchObject({ routes: routing.routes, fallbackEnabled: false, enrichments: [] });
    expect(parseRoutingFile(JSON.stringify({ properties: { routing } }), 'r.json').routes).toHaveLength(1);
    expect(parseRoutingFile(JSON.stringify({ routes: [] }), 'r.json')).toEqual({ routes: [], fallbackEnabled: true, endpoints: { eventHubs: [], storageContainers: [], webhooks: [] }, enrichments: [] });
  });

  it('reads endpoints and enrichments, and refuses a route to an endpoint the file does not declare', () => {
    const routing = {
      endpoints: { eventHubs: [{ name: 'hot', entityPath: 'hot-path' }], storageContainers: [{ name: 'files', containerName: 'routed', encoding: 'JSON' }], webhooks: [{ name: 'hook', url: 'http://localhost:1/x' }] },
      routes: [{ name: 'r', source: 'DeviceMessages', endpointNames: ['files'], isEnabled: true }],
      enrichments: [{ key: 'site', value: '$twin.tags.site', endpointNames: ['hot', 'events'] }],
    };
    const parsed = parseRoutingFile(JSON.stringify({ routing }), 'r.json');
    expect(parsed.endpoints.eventHubs).toEqual([{ name: 'hot', entityPath: 'hot-path' }]);
    expect(parsed.endpoints.webhooks).toEqual([{ name: 'hook', url: 'http://localhost:1/x' }]);
    expect(parsed.enrichments).toEqual(routing.enrichments);
    expect(() => parseRoutingFile(JSON.stringify({ routes: [{ name: 'r', source: 'DeviceMessages', endpointNames: ['files'] }] }), 'r.json')).toThrow(/endpoint 'files' does not exist/);
    expect(() => parseRoutingFile(JSON.stringify({ endpoints: { storageContainers: [{ name: 'f', containerName: 'c1x', encoding: 'Avro' }] } }), 'r.json')).toThrow(/'Avro' is not written/);
  });

  it('names what is wrong in a routing file', () => {
    expect(() => parseRoutingFile('{', 'r.json')).toThrow(/--routes r\.json: not JSON/);
    expect(() => parseRoutingFile(JSON.stringify({ routes: [{ name: 'x', source: 'Nope', endpointNames: ['events'] }] }), 'r.json')).toThrow(/--routes r\.json: routing\.routes\[0\]\.source: 'Nope' is not routed/);
    expect(() => parseRoutingFile(JSON.stringify({ routes: [{ name: 'x', source: 'DeviceMessages', endpointNames: 'events' }] }), 'r.json')).toThrow(/endpointNames must be an array/);
    expect(() => parseRoutingFile(JSON.stringify({ routes: [{ name: 'x', source: 'DeviceMessages', condition: 'a = = 1', endpointNames: ['events'] }] }), 'r.json')).toThrow(/route 'x': condition "a = = 1": .*position 4/);
  });

  it('makes a quick route from a source and an optional condition after the first colon', () => {
    expect(quickRoute('TwinChangeEvents', 0)).toEqual({ name: 'route-1-TwinChangeEvents', source: 'TwinChangeEvents', condition: 'true', endpointNames: ['events'], isEnabled: true });
    expect(quickRoute('devicemessages:$body.temperature > 30', 1)).toMatchObject({ source: 'DeviceMessages', condition: '$body.temperature > 30' });
    expect(() => quickRoute('Telemetry', 0)).toThrow(/unknown source 'Telemetry'/);
  });
});
