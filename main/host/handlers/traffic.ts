import { routingFromArm, routingToArm, type HubEmulator, type HubEvent } from '../../../emulator/index.js';
import type { EndpointEventDto, EventEndpointDto } from '../../contract/index.js';
import { toTrafficDto } from '../dto-mappers.js';
import type { NamespaceHandlers } from '../handler-types.js';

/** Events the endpoint overview shows, newest first. */
const RECENT_EVENTS = 50;
/** Body characters kept per shown event. */
const BODY_PREVIEW_CHARS = 2048;

/** `traffic.*`: what the wire tap kept before the view opened (live events arrive as `traffic.batch` pushes). */
export const trafficHandlers: NamespaceHandlers<'traffic'> = {
  'traffic.snapshot': async (_req, { host }) => host.requireRunning().tap.snapshot().map(toTrafficDto),
  'traffic.endpoint': async (_req, { host }) => endpointOverview(host.requireRunning()),
  'traffic.setRouting': async ({ routing }, { host }) => {
    const hub = host.requireRunning();
    await hub.routing.set(routingFromArm(routing, hub.routing.config));
    return endpointOverview(hub);
  },
};

/** The built-in endpoint with its routing and the newest events, decoded (contract `traffic.endpoint`). */
function endpointOverview(hub: HubEmulator): EventEndpointDto {
  const { eventHub } = hub;
  const hits = hub.routeHits();
  const partitions = eventHub.info.partitionIds.map((id) => {
    const state = eventHub.state(Number(id));
    return {
      id,
      beginSequenceNumber: state.beginSequenceNumber,
      lastSequenceNumber: state.lastSequenceNumber,
      lastEnqueuedTime: state.empty ? null : new Date(state.lastEnqueuedTime).toISOString(),
      count: eventHub.events(Number(id)).length,
    };
  });
  const recent = eventHub.info.partitionIds
    .flatMap((id) => eventHub.events(Number(id)).slice(-RECENT_EVENTS))
    .sort((a, b) => b.enqueuedTime - a.enqueuedTime)
    .slice(0, RECENT_EVENTS)
    .map(toEventDto);
  return {
    name: eventHub.info.name,
    connectionString: hub.info.eventHub.connectionString,
    partitions,
    routes: hub.routing.config.routes.map((route) => ({
      name: route.name,
      source: route.source,
      condition: route.condition ?? 'true',
      endpoint: route.endpointNames[0] ?? 'events',
      enabled: route.isEnabled,
      hits: hits[route.name] ?? 0,
    })),
    endpoints: hub.routing.endpoints().map((entry) => (entry.kind === 'eventHub' ? { ...entry, connectionString: hub.eventHubConnectionString('iothubowner', entry.address) } : entry)),
    routing: routingToArm(hub.routing.config),
    fallbackEnabled: hub.routing.config.fallbackEnabled,
    fallbackHits: hits.$fallback ?? 0,
    recent,
  };
}

function toEventDto(event: HubEvent): EndpointEventDto {
  const text = Buffer.from(event.body, 'base64').toString('utf8');
  const annotations = event.annotations;
  const moduleId = annotations['iothub-connection-module-id'];
  return {
    partition: String(event.partition),
    sequenceNumber: event.sequenceNumber,
    offset: event.offset,
    enqueuedTime: new Date(event.enqueuedTime).toISOString(),
    deviceId: annotations['iothub-connection-device-id'] ?? null,
    ...(moduleId === undefined ? {} : { moduleId }),
    source: annotations['iothub-message-source'] ?? 'Telemetry',
    body: text.length > BODY_PREVIEW_CHARS ? text.slice(0, BODY_PREVIEW_CHARS) : text,
    annotations: { ...annotations },
    properties: { ...event.application },
  };
}
