import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import deviceSdk from 'azure-iot-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { armClient, RESOURCE_GROUP } from '../helpers/arm-client.js';
import { openDevice } from '../helpers/device-sdk.js';
import { readEvents } from '../helpers/event-hubs.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

// Routing endpoints and enrichments (iothub-protocol-2.md §6), configured with the unmodified @azure/arm-iothub
// (`IotHubResource.beginCreateOrUpdateAndWait` with `properties.routing`) on the hub's HTTPS port: an extra Event
// Hubs-compatible endpoint read by the unmodified EventHubConsumerClient, a file sink (ARM storage container written as
// local JSON lines), a webhook sink, enrichments from the sender's twin, per-route hit counters; the routing survives
// a restart; a malformed condition is refused with its position; testRoute / testAllRoutes.

let hub: TestHub;
let webhook: Server;
const posted: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  hub = await startTestHub({ ports: { https: 0 } });
  webhook = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posted.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      // The first post is refused with 503: the sink retries it.
      response.writeHead(posted.length === 1 ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await hub?.dispose();
  await new Promise((resolve) => webhook?.close(resolve));
});

function message(body: object, properties: Record<string, string>): InstanceType<typeof deviceSdk.Message> {
  const result = new deviceSdk.Message(JSON.stringify(body));
  result.contentType = 'application/json';
  result.contentEncoding = 'utf-8';
  for (const [key, value] of Object.entries(properties)) result.properties.add(key, value);
  return result;
}

async function send(deviceId: string, messages: InstanceType<typeof deviceSdk.Message>[]): Promise<void> {
  const device = await openDevice(hub.hub, deviceId);
  try {
    for (const each of messages) await device.sendEvent(each);
  } finally {
    await device.close();
  }
}

const ROUTING = {
  endpoints: {
    eventHubs: [{ name: 'alerts-hub', entityPath: 'alerts-stream', connectionString: 'Endpoint=sb://elsewhere/;SharedAccessKeyName=x;SharedAccessKey=eA==;EntityPath=alerts-stream' }],
    storageContainers: [{ name: 'archive', containerName: 'hot-archive', encoding: 'JSON', connectionString: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=eA==' }],
  },
  routes: [
    { name: 'alerts', source: 'DeviceMessages', condition: "level = 'alert'", endpointNames: ['alerts-hub'], isEnabled: true },
    { name: 'hot', source: 'DeviceMessages', condition: '$body.temperature > 30', endpointNames: ['archive'], isEnabled: true },
  ],
  fallbackRoute: { name: '$fallback', source: 'DeviceMessages', condition: 'true', endpointNames: ['events'], isEnabled: true },
  enrichments: [
    { key: 'site', value: '$twin.tags.site', endpointNames: ['alerts-hub', 'archive'] },
    { key: 'hub', value: '$iothubname', endpointNames: ['alerts-hub'] },
    { key: 'missing', value: '$twin.tags.nowhere', endpointNames: ['alerts-hub'] },
    { key: 'tier', value: 'gold', endpointNames: ['archive'] },
  ],
};

describe('routing endpoints and enrichments through Resource Manager', () => {
  it('routes to an extra Event Hubs endpoint and a file sink, enriched from the twin, counted per route', async () => {
    const arm = await armClient(hub.hub);
    const before = await arm.iotHubResource.get(RESOURCE_GROUP, 'localhost');
    expect(before.properties?.routing?.fallbackRoute?.isEnabled).toBe(true);
    const updated = await arm.iotHubResource.beginCreateOrUpdateAndWait(RESOURCE_GROUP, 'localhost', {
      location: before.location ?? 'local',
      sku: { name: 'S1', capacity: 1 },
      properties: { routing: ROUTING as never },
    });
    expect(updated.properties?.routing?.routes?.map((route) => route.name)).toEqual(['alerts', 'hot']);
    expect(updated.properties?.routing?.endpoints?.eventHubs?.[0]).toMatchObject({ name: 'alerts-hub', entityPath: 'alerts-stream' });

    await hub.hub.registry.create({ deviceId: 'ep-dev' });
    await hub.hub.twins.updateTwin('ep-dev', { tags: { site: 'lab-7' } });
    await send('ep-dev', [
      message({ temperature: 20 }, { level: 'info' }),
      message({ temperature: 21 }, { level: 'alert' }),
      message({ temperature: 35 }, { level: 'info' }),
      message({ temperature: 40 }, { level: 'alert' }),
    ]);

    const alerts = await readEvents(hub.hub, { count: 2, timeoutMs: 8000 }, hub.hub.eventHubConnectionString('iothubowner', 'alerts-stream'));
    expect(alerts.errors).toEqual([]);
    expect(alerts.events?.map((event) => event.body)).toEqual([{ temperature: 21 }, { temperature: 40 }]);
    expect(alerts.events?.[0]).toMatchObject({
      properties: { level: 'alert', site: 'lab-7', hub: 'localhost', missing: '$twin.tags.nowhere' },
      systemProperties: { 'iothub-connection-device-id': 'ep-dev', 'iothub-message-source': 'Telemetry' },
    });
    const properties = await readEvents(hub.hub, { properties: true }, hub.hub.eventHubConnectionString('iothubowner', 'alerts-stream'));
    expect(properties.hub).toMatchObject({ name: 'alerts-stream', partitionIds: ['0', '1', '2', '3'] });

    const dir = join(hub.dataDir, 'endpoints', 'files', 'hot-archive');
    // The file sink's write is done when the device's send is acknowledged.
    const files = await readdir(dir);
    const text = (await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8')))).join('');
    const lines = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((record) => record.Body)).toEqual([{ temperature: 35 }, { temperature: 40 }]);
    expect(lines[0]).toMatchObject({ Properties: { level: 'info', site: 'lab-7', tier: 'gold' }, SystemProperties: { connectionDeviceId: 'ep-dev', contentType: 'application/json' } });

    // The fallback sends only the message no route matched to `events`, unenriched.
    const builtIn = hub.hub.eventHub.events(hub.hub.eventHub.partitionOf('ep-dev')).filter((event) => event.annotations['iothub-connection-device-id'] === 'ep-dev');
    expect(builtIn.map((event) => JSON.parse(Buffer.from(event.body, 'base64').toString()) as unknown)).toEqual([{ temperature: 20 }]);
    expect(builtIn[0]?.application.site).toBeUndefined();
    expect(hub.hub.routeHits()).toMatchObject({ alerts: 2, hot: 2, $fallback: 1 });
    expect(hub.hub.routing.endpoints().map((entry) => [entry.name, entry.stats])).toEqual([
      ['alerts-hub', { events: 2 }],
      ['archive', { written: 2, failed: 0 }],
    ]);
  });

  it('refuses a malformed condition with the route and the position, and keeps the routing in force', async () => {
    const arm = await armClient(hub.hub);
    const broken = { ...ROUTING, routes: [{ name: 'broken', source: 'DeviceMessages', condition: "level = = 'x'", endpointNames: ['events'], isEnabled: true }] };
    const error = await arm.iotHubResource.beginCreateOrUpdateAndWait(RESOURCE_GROUP, 'localhost', { location: 'local', sku: { name: 'S1', capacity: 1 }, properties: { routing: broken as never } }).catch((caught: unknown) => caught as { statusCode?: number; code?: string; message: string });
    expect(error).toMatchObject({ statusCode: 400, code: 'ArgumentInvalid' });
    expect((error as Error).message).toMatch(/route 'broken': condition "level = = 'x'": .*position 8/);
    const missing = { ...ROUTING, routes: [{ name: 'lost', source: 'DeviceMessages', condition: 'true', endpointNames: ['nowhere'], isEnabled: true }] };
    await expect(arm.iotHubResource.beginCreateOrUpdateAndWait(RESOURCE_GROUP, 'localhost', { location: 'local', sku: { name: 'S1', capacity: 1 }, properties: { routing: missing as never } })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/endpoint 'nowhere' does not exist/) as string });
    expect(hub.hub.routing.config.routes.map((route) => route.name)).toEqual(['alerts', 'hot']);
    // If-Match: the etag of the GET passes while the routing is unchanged; a stale one is refused.
    const { etag } = await arm.iotHubResource.get(RESOURCE_GROUP, 'localhost');
    expect(etag).toMatch(/^\S{8,}$/);
    const same = await arm.iotHubResource.beginCreateOrUpdateAndWait(RESOURCE_GROUP, 'localhost', { location: 'local', sku: { name: 'S1', capacity: 1 }, properties: { routing: ROUTING as never } }, { ifMatch: etag });
    expect(same.etag).toBe(etag);
    await expect(arm.iotHubResource.beginCreateOrUpdateAndWait(RESOURCE_GROUP, 'localhost', { location: 'local', sku: { name: 'S1', capacity: 1 }, properties: { routing: { ...ROUTING, routes: [] } as never } }, { ifMatch: 'stale' })).rejects.toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    expect(hub.hub.routing.config.routes).toHaveLength(2);
  });

  it('tests one route and all routes on a sample message, with compilation errors located', async () => {
    const arm = await armClient(hub.hub);
    const sample = { body: '{"temperature":50}', appProperties: { level: 'alert' }, systemProperties: { contentType: 'application/json', contentEncoding: 'utf-8' } };
    const one = await arm.iotHubResource.testRoute('localhost', RESOURCE_GROUP, { route: { name: 't', source: 'DeviceMessages', condition: '$body.temperature > 30', endpointNames: ['events'], isEnabled: true }, message: sample });
    expect(one.result).toBe('true');
    const bad = await arm.iotHubResource.testRoute('localhost', RESOURCE_GROUP, { route: { name: 't', source: 'DeviceMessages', condition: 'level = = 1', endpointNames: ['events'], isEnabled: true }, message: sample });
    expect(bad.result).toBe('false');
    expect(bad.details?.compilationErrors?.[0]).toMatchObject({ severity: 'error', location: { start: { line: 1, column: 9 } } });
    const all = await arm.iotHubResource.testAllRoutes('localhost', RESOURCE_GROUP, { routingSource: 'DeviceMessages', message: sample, twin: { tags: { site: 'x' } } });
    expect(all.routes?.map((route) => route.properties?.name)).toEqual(['alerts', 'hot']);
  });

  it('posts routed messages to a webhook, retrying a refused post', async () => {
    const { routing } = hub.hub;
    await routing.set({
      ...routing.config,
      endpoints: { ...routing.config.endpoints, webhooks: [{ name: 'hook', url: `http://127.0.0.1:${(webhook.address() as { port: number }).port}/events`, headers: { 'x-token': 'secret' } }] },
      routes: [
        ...routing.config.routes,
        { name: 'to-hook', source: 'DeviceMessages', condition: "level = 'hook'", endpointNames: ['hook'], isEnabled: true },
        { name: 'twins-to-hook', source: 'TwinChangeEvents', condition: 'is_defined($body.tags.floor)', endpointNames: ['hook'], isEnabled: true },
      ],
      enrichments: [...routing.config.enrichments, { key: 'via', value: 'webhook', endpointNames: ['hook'] }],
    });
    await send('ep-dev', [message({ n: 1 }, { level: 'hook' }), message({ n: 2 }, { level: 'hook' })]);
    await eventually(() => posted.length >= 3, 10_000, 'two posts and one retry');
    expect(posted.map((post) => post.body.Body)).toEqual([{ n: 1 }, { n: 1 }, { n: 2 }]);
    expect(posted[2]).toMatchObject({ headers: { 'x-token': 'secret', 'content-type': 'application/json; charset=utf-8' }, body: { Properties: { level: 'hook', via: 'webhook' } } });
    // Hub events are enriched too: a twin change event routed to the webhook.
    await hub.hub.twins.updateTwin('ep-dev', { tags: { floor: 2 } });
    await eventually(() => posted.length >= 4, 10_000, 'the twin change event');
    expect(posted[3]?.body).toMatchObject({
      Properties: { opType: 'updateTwin', via: 'webhook', hubName: 'localhost' },
      SystemProperties: { messageSource: 'twinChangeEvents', connectionDeviceId: 'ep-dev' },
      Body: { tags: { floor: 2 } },
    });
    expect(hub.hub.routeHits()).toMatchObject({ 'to-hook': 2, 'twins-to-hook': 1 });
    // The sink counts a delivery when the answer arrives, just after the server saw the request.
    const hookStats = () => hub.hub.routing.endpoints().find((entry) => entry.name === 'hook')?.stats;
    await eventually(() => hookStats()?.delivered === 3, 5000, 'three deliveries counted');
    expect(hookStats()).toEqual({ delivered: 3, failed: 0, dropped: 0, queued: 0 });
    // Resource Manager cannot carry webhooks; an update through it keeps them.
    const arm = await armClient(hub.hub);
    await arm.iotHubResource.beginCreateOrUpdateAndWait(RESOURCE_GROUP, 'localhost', { location: 'local', sku: { name: 'S1', capacity: 1 }, properties: { routing: { ...ROUTING, routes: [...ROUTING.routes, { name: 'to-hook', source: 'DeviceMessages', condition: "level = 'hook'", endpointNames: ['hook'], isEnabled: true }] } as never } });
    expect(hub.hub.routing.config.endpoints.webhooks.map((entry) => entry.name)).toEqual(['hook']);
  });

  it('keeps routes, endpoints and enrichments across a restart', async () => {
    await hub.stop();
    hub = await startTestHub({ ports: { https: 0 } }, hub.dataDir);
    const arm = await armClient(hub.hub);
    const description = await arm.iotHubResource.get(RESOURCE_GROUP, 'localhost');
    expect(description.properties?.routing?.routes?.map((route) => route.name)).toEqual(['alerts', 'hot', 'to-hook']);
    expect(description.properties?.routing?.enrichments).toHaveLength(4);
    await send('ep-dev', [message({ temperature: 22 }, { level: 'alert' })]);
    const alerts = await readEvents(hub.hub, { count: 3, timeoutMs: 8000 }, hub.hub.eventHubConnectionString('iothubowner', 'alerts-stream'));
    expect(alerts.events?.map((event) => event.body)).toEqual([{ temperature: 21 }, { temperature: 40 }, { temperature: 22 }]);
    expect(alerts.events?.[2]?.properties).toMatchObject({ site: 'lab-7' });
  });

  it('detaches readers of an Event Hubs endpoint that a routing change removes', async () => {
    // The tap holds the earlier tests' attaches too: only traffic after this id counts.
    const since = hub.hub.tap.snapshot().at(-1)?.id ?? -1;
    const after = (prefix: string) => hub.hub.tap.snapshot().filter((event) => event.id > since && event.topic.startsWith(prefix));
    const reading = readEvents(hub.hub, { count: 100, timeoutMs: 15_000, startPosition: { enqueuedOn: new Date().toISOString() }, stopOnError: true, noRetries: true }, hub.hub.eventHubConnectionString('iothubowner', 'alerts-stream'));
    await eventually(() => after('attach alerts-stream/').length === 4, 10_000, 'a reader attached to the four partitions of alerts-stream');
    const { routing } = hub.hub;
    await routing.set({ ...routing.config, endpoints: { ...routing.config.endpoints, eventHubs: [] }, routes: routing.config.routes.filter((route) => route.name !== 'alerts'), enrichments: routing.config.enrichments.map((entry) => ({ ...entry, endpointNames: entry.endpointNames.filter((name) => name !== 'alerts-hub') })).filter((entry) => entry.endpointNames.length > 0) });
    // The hub detaches each partition reader at once (the client would otherwise only notice on its next
    // properties check).
    await eventually(() => after('detach alerts-stream/').length === 4, 2000, 'the four readers detached');
    const result = await reading;
    // The client reports the detach or, having looked again, that the entity is gone.
    const messages = (result.errors ?? []).map((error) => error.message);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((message) => /alerts-stream' (was removed|could not be found)/.test(message)), messages.join('\n')).toBe(true);
    expect(hub.hub.routing.eventHubEntity('alerts-stream')).toBeUndefined();
  });
});
