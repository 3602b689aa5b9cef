import { describe, expect, it } from 'vitest';

import { enrichmentValue } from '../../../../emulator/services/message-router.js';
import { checkRouting, entityPathOf, routingFromArm, routingToArm } from '../../../../emulator/services/routing-config.js';

const route = (name: string, endpoint = 'events', condition = 'true') => ({ name, source: 'DeviceMessages', condition, endpointNames: [endpoint], isEnabled: true });

describe('routing configuration as Resource Manager sends it', () => {
  it('reads routes, fallback, endpoints and enrichments, and writes them back in the same shape', () => {
    const arm = {
      endpoints: { eventHubs: [{ name: 'eh', connectionString: 'Endpoint=sb://x/;EntityPath=from-string' }], storageContainers: [{ name: 'files', containerName: 'archive-1' }], serviceBusQueues: [] },
      routes: [route('a', 'eh'), route('b', 'files')],
      fallbackRoute: { isEnabled: false },
      enrichments: [{ key: 'site', value: '$twin.tags.site', endpointNames: ['eh'] }],
    };
    const config = routingFromArm(arm);
    expect(entityPathOf(config.endpoints.eventHubs[0] as never)).toBe('from-string');
    expect(config.fallbackEnabled).toBe(false);
    const back = routingToArm(config);
    // Reading back what GET shows gives the same routing, with the defaults (entity path, encoding) spelled out.
    const reread = routingFromArm(back);
    expect(reread).toMatchObject({ ...config, endpoints: { eventHubs: [{ name: 'eh', entityPath: 'from-string' }], storageContainers: [{ name: 'files', encoding: 'JSON' }] } });
    expect(routingFromArm(routingToArm(reread))).toEqual(reread);
    expect(back).toMatchObject({ fallbackRoute: { name: '$fallback', isEnabled: false }, endpoints: { eventHubs: [{ entityPath: 'from-string' }], storageContainers: [{ encoding: 'JSON' }] } });
  });

  it('keeps the webhooks it was not sent (Resource Manager cannot carry them), and replaces them when sent', () => {
    const keep = routingFromArm({ endpoints: { webhooks: [{ name: 'hook', url: 'https://example.test/h' }] } });
    expect(routingFromArm({ routes: [route('r', 'hook')] }, keep).endpoints.webhooks).toEqual([{ name: 'hook', url: 'https://example.test/h' }]);
    expect(() => routingFromArm({ endpoints: {}, routes: [route('r', 'hook')] })).toThrow(/endpoint 'hook' does not exist/);
    expect(routingFromArm({ endpoints: { webhooks: [] } }, keep).endpoints.webhooks).toEqual([]);
  });

  it('enforces IoT Hub\'s limits and names', () => {
    expect(() => routingFromArm({ routes: Array.from({ length: 101 }, (_, n) => route(`r${n}`)) })).toThrow(/at most 100 routes/);
    expect(() => routingFromArm({ endpoints: { eventHubs: Array.from({ length: 11 }, (_, n) => ({ name: `e${n}` })) } })).toThrow(/at most 10 custom endpoints/);
    expect(() => routingFromArm({ enrichments: Array.from({ length: 11 }, (_, n) => ({ key: `k${n}`, value: 'v', endpointNames: ['events'] })) })).toThrow(/at most 10 enrichments/);
    expect(() => routingFromArm({ routes: [route('same'), route('SAME')] })).toThrow(/route 'SAME': the name is used twice/);
    expect(() => routingFromArm({ endpoints: { eventHubs: [{ name: 'events' }] } })).toThrow(/used twice \(or is the built-in 'events'\)/);
    expect(() => routingFromArm({ endpoints: { eventHubs: [{ name: 'a', entityPath: 'x' }, { name: 'b', entityPath: 'X' }] } })).toThrow(/entity path 'X' is used/);
    expect(() => routingFromArm({ endpoints: { storageContainers: [{ name: 'f', containerName: 'Bad_Name' }] } })).toThrow(/not a container name/);
    expect(() => routingFromArm({ endpoints: { serviceBusQueues: [{ name: 'q' }] } })).toThrow(/no serviceBusQueues endpoints/);
    expect(() => routingFromArm({ endpoints: { webhooks: [{ name: 'h', url: 'file:///etc/passwd' }] } })).toThrow(/only http and https/);
    expect(() => routingFromArm({ enrichments: [{ key: 'bad key', value: 'v', endpointNames: ['events'] }] })).toThrow(/keys are 1-64/);
    expect(() => routingFromArm({ enrichments: [{ key: 'k', value: 'v', endpointNames: ['nowhere'] }] })).toThrow(/endpoint 'nowhere' does not exist/);
    expect(() => routingFromArm({ routes: [route('two', 'events')].map((r) => ({ ...r, endpointNames: ['events', 'events'] })) })).toThrow(/exactly one endpoint/);
  });

  it('names the route and the position of a malformed condition', () => {
    expect(() => routingFromArm({ routes: [route('broken', 'events', "a = = 'x'")] })).toThrow(/route 'broken': condition "a = = 'x'": .*position 4/);
    expect(() => checkRouting({ routes: [], fallbackEnabled: true, endpoints: { eventHubs: [], storageContainers: [], webhooks: [] }, enrichments: [] })).not.toThrow();
  });
});

describe('enrichment values', () => {
  const twin = { tags: { site: 'lab', loc: { floor: 3 } }, properties: { desired: { mode: 'eco' }, reported: { fw: '1.2' } } };
  it('reads $iothubname, twin paths (strings as is, other values as JSON) and keeps static text', () => {
    expect(enrichmentValue('$iothubname', 'myhub', () => twin)).toBe('myhub');
    expect(enrichmentValue('$twin.tags.site', 'h', () => twin)).toBe('lab');
    expect(enrichmentValue('$twin.tags.loc', 'h', () => twin)).toBe('{"floor":3}');
    expect(enrichmentValue('$twin.tags.loc.floor', 'h', () => twin)).toBe('3');
    expect(enrichmentValue('$twin.properties.desired.mode', 'h', () => twin)).toBe('eco');
    expect(enrichmentValue('$twin.properties.reported.fw', 'h', () => twin)).toBe('1.2');
    expect(enrichmentValue('gold', 'h', () => twin)).toBe('gold');
  });
  it('stamps the value text itself for a path the twin lacks, or without a twin', () => {
    expect(enrichmentValue('$twin.tags.nowhere', 'h', () => twin)).toBe('$twin.tags.nowhere');
    expect(enrichmentValue('$twin.tags.site.deeper', 'h', () => twin)).toBe('$twin.tags.site.deeper');
    expect(enrichmentValue('$twin.tags.__proto__', 'h', () => twin)).toBe('$twin.tags.__proto__');
    expect(enrichmentValue('$twin.tags.site', 'h', () => undefined)).toBe('$twin.tags.site');
  });
});
