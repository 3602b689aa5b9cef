import { argumentInvalid } from '../errors/catalogue.js';
import type { IotHubError } from '../errors/iothub-error.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../model/json.js';
import {
  BUILT_IN_ENDPOINT,
  NO_ENDPOINTS,
  ROUTE_SOURCES,
  ROUTING_LIMITS,
  type EnrichmentDefinition,
  type EventHubEndpointDefinition,
  type RouteDefinition,
  type RouteSource,
  type RoutingConfig,
  type RoutingEndpoints,
  type StorageContainerEndpointDefinition,
  type WebhookEndpointDefinition,
} from '../model/routing.js';
import { compileCondition } from '../query/index.js';
import { dictionary } from '../util/own-keys.js';

/** Route, endpoint and enrichment key names: letters, digits, `.`, `_`, `-`, up to 64 (ARM's rule for route names). */
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Event Hubs entity names. */
const ENTITY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;
/** Azure Storage container names: 3-63 lower-case letters, digits and single hyphens. */
const CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const MAX_CONDITION_CHARS = 1024;
const MAX_ENRICHMENT_VALUE_CHARS = 256;
/** Storage chunk bounds: IoT Hub takes 10-500 MB; this hub allows smaller files (at least 1 KiB) for local use. */
const MIN_CHUNK = 1024;
const MAX_CHUNK = 500 * 1024 * 1024;

type Json = Record<string, unknown>;

/**
 * Reads ARM's `properties.routing` object (iothub-protocol-2.md §6.1; `RoutingProperties` of `@azure/arm-iothub`) into
 * a checked `RoutingConfig`: `routes`, `fallbackRoute.isEnabled`, `endpoints.eventHubs` (served by this hub),
 * `endpoints.storageContainers` (local file sinks), `endpoints.webhooks` (an emulator extra) and `enrichments`. Service
 * Bus and Cosmos DB endpoints are refused. Without `endpoints.webhooks`, the webhooks of `keep` stay (Resource
 * Manager clients cannot send them). Throws `ArgumentInvalid` naming the field; see `checkRouting` for the rest.
 */
export function routingFromArm(value: unknown, keep: RoutingConfig | undefined = undefined): RoutingConfig {
  const routing = objectAt(value, 'routing');
  const routes = arrayAt(routing.routes, 'routing.routes').map((route, index) => routeFromArm(route, `routing.routes[${index}]`));
  const fallback = routing.fallbackRoute === undefined || routing.fallbackRoute === null ? undefined : objectAt(routing.fallbackRoute, 'routing.fallbackRoute');
  const endpoints = endpointsAt(routing.endpoints, keep?.endpoints.webhooks ?? []);
  const enrichments = arrayAt(routing.enrichments, 'routing.enrichments').map((entry, index) => enrichmentAt(entry, `routing.enrichments[${index}]`));
  const config: RoutingConfig = { routes, fallbackEnabled: fallback?.isEnabled === undefined ? true : fallback.isEnabled === true, endpoints, enrichments };
  checkRouting(config);
  return config;
}

/**
 * Checks a routing configuration as IoT Hub does when it is saved: limits (100 routes, 10 endpoints, 10 enrichments),
 * unique names, each route naming exactly one existing endpoint, conditions that compile (the error names the route
 * and the position in its condition), enrichment keys and endpoints. Throws `ArgumentInvalid`.
 */
export function checkRouting(config: RoutingConfig): void {
  const { routes, endpoints, enrichments } = config;
  if (routes.length > ROUTING_LIMITS.routes) throw invalid(`The hub allows at most ${ROUTING_LIMITS.routes} routes; got ${routes.length}.`);
  const custom = [...endpoints.eventHubs, ...endpoints.storageContainers, ...endpoints.webhooks];
  if (custom.length > ROUTING_LIMITS.endpoints) throw invalid(`The hub allows at most ${ROUTING_LIMITS.endpoints} custom endpoints; got ${custom.length}.`);
  if (enrichments.length > ROUTING_LIMITS.enrichments) throw invalid(`The hub allows at most ${ROUTING_LIMITS.enrichments} enrichments; got ${enrichments.length}.`);
  const endpointNames = new Set<string>([BUILT_IN_ENDPOINT]);
  for (const endpoint of custom) {
    if (!NAME.test(endpoint.name)) throw invalid(`endpoint '${endpoint.name}': names are 1-64 letters, digits, '.', '_' or '-'.`);
    if (endpointNames.has(endpoint.name.toLowerCase())) throw invalid(`endpoint '${endpoint.name}': the name is used twice (or is the built-in '${BUILT_IN_ENDPOINT}').`);
    endpointNames.add(endpoint.name.toLowerCase());
  }
  const entities = new Set<string>();
  for (const hub of endpoints.eventHubs) {
    const entity = entityPathOf(hub).toLowerCase();
    if (entities.has(entity)) throw invalid(`endpoint '${hub.name}': the entity path '${entityPathOf(hub)}' is used by another endpoint.`);
    entities.add(entity);
  }
  const containers = new Set<string>();
  for (const sink of endpoints.storageContainers) {
    if (containers.has(sink.containerName)) throw invalid(`endpoint '${sink.name}': the container '${sink.containerName}' is used by another endpoint.`);
    containers.add(sink.containerName);
  }
  const routeNames = new Set<string>();
  for (const route of routes) {
    if (!NAME.test(route.name)) throw invalid(`route '${route.name}': names are 1-64 letters, digits, '.', '_' or '-'.`);
    if (routeNames.has(route.name.toLowerCase())) throw invalid(`route '${route.name}': the name is used twice.`);
    routeNames.add(route.name.toLowerCase());
    const [endpoint] = route.endpointNames;
    if (route.endpointNames.length !== 1 || endpoint === undefined) throw invalid(`route '${route.name}': endpointNames must name exactly one endpoint.`);
    if (!endpointNames.has(endpoint.toLowerCase())) throw invalid(`route '${route.name}': endpoint '${endpoint}' does not exist (endpoints: ${[...endpointNames].join(', ')}).`);
    conditionError(route);
  }
  const keys = new Set<string>();
  for (const enrichment of enrichments) {
    if (!NAME.test(enrichment.key)) throw invalid(`enrichment '${enrichment.key}': keys are 1-64 letters, digits, '.', '_' or '-'.`);
    if (keys.has(enrichment.key.toLowerCase())) throw invalid(`enrichment '${enrichment.key}': the key is used twice.`);
    keys.add(enrichment.key.toLowerCase());
    if (enrichment.value === '' || enrichment.value.length > MAX_ENRICHMENT_VALUE_CHARS) throw invalid(`enrichment '${enrichment.key}': the value must be 1-${MAX_ENRICHMENT_VALUE_CHARS} characters.`);
    if (enrichment.endpointNames.length === 0) throw invalid(`enrichment '${enrichment.key}': endpointNames must name at least one endpoint.`);
    for (const name of enrichment.endpointNames) {
      if (!endpointNames.has(name.toLowerCase())) throw invalid(`enrichment '${enrichment.key}': endpoint '${name}' does not exist.`);
    }
  }
}

/**
 * The routing as ARM's `RoutingProperties` (what `IotHubResource.get` shows and `routingFromArm` reads back):
 * webhooks, an emulator extra, under `endpoints.webhooks`; `namespace` (`sb://host[:port]/`) as the Event Hubs
 * endpoints' `endpointUri`.
 */
export function routingToArm(config: RoutingConfig, namespace = ''): JsonObject {
  const copy = (value: unknown) => JSON.parse(JSON.stringify(value)) as JsonValue;
  return {
    endpoints: {
      serviceBusQueues: [],
      serviceBusTopics: [],
      eventHubs: config.endpoints.eventHubs.map((hub) => ({ ...(copy(hub) as JsonObject), entityPath: entityPathOf(hub), ...(namespace ? { endpointUri: namespace } : {}), authenticationType: 'keyBased' })),
      storageContainers: config.endpoints.storageContainers.map((sink) => ({ encoding: 'JSON', ...(copy(sink) as JsonObject) })),
      cosmosDBSqlContainers: [],
      webhooks: copy(config.endpoints.webhooks),
    },
    routes: config.routes.map((route) => ({ ...(copy(route) as JsonObject), condition: route.condition ?? 'true' })),
    fallbackRoute: { name: '$fallback', source: 'DeviceMessages', condition: 'true', endpointNames: [BUILT_IN_ENDPOINT], isEnabled: config.fallbackEnabled },
    enrichments: copy(config.enrichments),
  };
}

/** The entity path an extra Event Hubs endpoint is served under. */
export function entityPathOf(endpoint: EventHubEndpointDefinition): string {
  if (endpoint.entityPath !== undefined && endpoint.entityPath !== '') return endpoint.entityPath;
  const fromString = /(?:^|;)\s*EntityPath=([^;]+)/i.exec(endpoint.connectionString ?? '')?.[1]?.trim();
  return fromString ?? endpoint.name;
}

/** The partition count of an extra Event Hubs endpoint (default 4, as IoT Hub's built-in endpoint). */
export function partitionCountOf(endpoint: EventHubEndpointDefinition): number {
  return endpoint.partitionCount ?? 4;
}

function conditionError(route: RouteDefinition): void {
  const condition = route.condition ?? 'true';
  if (condition.length > MAX_CONDITION_CHARS) throw invalid(`route '${route.name}': the condition has ${condition.length} characters; at most ${MAX_CONDITION_CHARS} are allowed.`);
  try {
    compileCondition(condition);
  } catch (error) {
    throw invalid(`route '${route.name}': condition ${JSON.stringify(route.condition)}: ${(error as Error).message}`);
  }
}

/** One ARM route object (`RouteProperties`), its fields checked (not its endpoint or condition); `where` names it in errors. */
export function routeFromArm(value: unknown, where: string): RouteDefinition {
  const route = objectAt(value, where);
  const name = stringAt(route.name, `${where}.name`);
  const sourceText = stringAt(route.source, `${where}.source`);
  const source = ROUTE_SOURCES.find((candidate) => candidate.toLowerCase() === sourceText.toLowerCase());
  if (!source) throw invalid(`${where}.source: '${sourceText}' is not routed by this hub (sources: ${ROUTE_SOURCES.join(', ')}).`);
  const condition = route.condition === undefined || route.condition === null ? undefined : stringAt(route.condition, `${where}.condition`);
  const endpointNames = arrayAt(route.endpointNames, `${where}.endpointNames`).map((entry, index) => stringAt(entry, `${where}.endpointNames[${index}]`));
  if (route.isEnabled !== undefined && typeof route.isEnabled !== 'boolean') throw invalid(`${where}.isEnabled must be true or false.`);
  return { name, source: source as RouteSource, ...(condition === undefined ? {} : { condition }), endpointNames, isEnabled: route.isEnabled !== false };
}

function endpointsAt(value: unknown, keptWebhooks: readonly WebhookEndpointDefinition[]): RoutingEndpoints {
  if (value === undefined || value === null) return { ...NO_ENDPOINTS, webhooks: keptWebhooks };
  const endpoints = objectAt(value, 'routing.endpoints');
  for (const kind of ['serviceBusQueues', 'serviceBusTopics', 'cosmosDBSqlContainers']) {
    if (arrayAt(endpoints[kind], `routing.endpoints.${kind}`).length > 0) {
      throw invalid(`routing.endpoints.${kind}: this hub has no ${kind} endpoints (it serves eventHubs itself, writes storageContainers to local files, and posts to webhooks).`);
    }
  }
  return {
    eventHubs: arrayAt(endpoints.eventHubs, 'routing.endpoints.eventHubs').map((entry, index) => eventHubAt(entry, `routing.endpoints.eventHubs[${index}]`)),
    storageContainers: arrayAt(endpoints.storageContainers, 'routing.endpoints.storageContainers').map((entry, index) => storageAt(entry, `routing.endpoints.storageContainers[${index}]`)),
    webhooks: endpoints.webhooks === undefined ? keptWebhooks : arrayAt(endpoints.webhooks, 'routing.endpoints.webhooks').map((entry, index) => webhookAt(entry, `routing.endpoints.webhooks[${index}]`)),
  };
}

function eventHubAt(value: unknown, where: string): EventHubEndpointDefinition {
  const entry = objectAt(value, where);
  const name = stringAt(entry.name, `${where}.name`);
  const entityPath = optionalString(entry.entityPath, `${where}.entityPath`);
  const connectionString = optionalString(entry.connectionString, `${where}.connectionString`);
  let partitionCount: number | undefined;
  if (entry.partitionCount !== undefined) {
    if (!Number.isInteger(entry.partitionCount) || (entry.partitionCount as number) < 1 || (entry.partitionCount as number) > 32) throw invalid(`${where}.partitionCount must be an integer 1-32.`);
    partitionCount = entry.partitionCount as number;
  }
  const definition: EventHubEndpointDefinition = {
    name,
    ...(entityPath === undefined ? {} : { entityPath }),
    ...(connectionString === undefined ? {} : { connectionString }),
    ...(partitionCount === undefined ? {} : { partitionCount }),
  };
  if (!ENTITY.test(entityPathOf(definition))) throw invalid(`${where}: the entity path '${entityPathOf(definition)}' is not valid (1-50 letters, digits, '.', '_' or '-', starting with a letter or digit).`);
  return definition;
}

function storageAt(value: unknown, where: string): StorageContainerEndpointDefinition {
  const entry = objectAt(value, where);
  const name = stringAt(entry.name, `${where}.name`);
  const containerName = stringAt(entry.containerName, `${where}.containerName`);
  if (!CONTAINER.test(containerName)) throw invalid(`${where}.containerName: '${containerName}' is not a container name (3-63 lower-case letters, digits and single hyphens).`);
  const encoding = optionalString(entry.encoding, `${where}.encoding`);
  if (encoding !== undefined && encoding.toLowerCase() !== 'json') throw invalid(`${where}.encoding: '${encoding}' is not written by this hub; use 'JSON'.`);
  let maxChunkSizeInBytes: number | undefined;
  if (entry.maxChunkSizeInBytes !== undefined && entry.maxChunkSizeInBytes !== null) {
    const size = entry.maxChunkSizeInBytes;
    if (!Number.isInteger(size) || (size as number) < MIN_CHUNK || (size as number) > MAX_CHUNK) throw invalid(`${where}.maxChunkSizeInBytes must be an integer ${MIN_CHUNK}-${MAX_CHUNK}.`);
    maxChunkSizeInBytes = size as number;
  }
  const fileNameFormat = optionalString(entry.fileNameFormat, `${where}.fileNameFormat`);
  const connectionString = optionalString(entry.connectionString, `${where}.connectionString`);
  const batch = entry.batchFrequencyInSeconds;
  return {
    name,
    containerName,
    ...(encoding === undefined ? {} : { encoding }),
    ...(maxChunkSizeInBytes === undefined ? {} : { maxChunkSizeInBytes }),
    ...(fileNameFormat === undefined ? {} : { fileNameFormat }),
    ...(Number.isInteger(batch) ? { batchFrequencyInSeconds: batch as number } : {}),
    ...(connectionString === undefined ? {} : { connectionString }),
  };
}

function webhookAt(value: unknown, where: string): WebhookEndpointDefinition {
  const entry = objectAt(value, where);
  const name = stringAt(entry.name, `${where}.name`);
  const url = stringAt(entry.url, `${where}.url`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`${where}.url: '${url}' is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid(`${where}.url: only http and https URLs are posted to.`);
  if (entry.headers === undefined || entry.headers === null) return { name, url };
  const raw = objectAt(entry.headers, `${where}.headers`);
  const headers: Record<string, string> = dictionary();
  for (const key of Object.keys(raw)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key)) throw invalid(`${where}.headers: '${key}' is not a header name.`);
    headers[key] = stringAt(raw[key], `${where}.headers.${key}`);
  }
  return { name, url, headers };
}

function enrichmentAt(value: unknown, where: string): EnrichmentDefinition {
  const entry = objectAt(value, where);
  return {
    key: stringAt(entry.key, `${where}.key`),
    value: stringAt(entry.value, `${where}.value`),
    endpointNames: arrayAt(entry.endpointNames, `${where}.endpointNames`).map((name, index) => stringAt(name, `${where}.endpointNames[${index}]`)),
  };
}

function objectAt(value: unknown, where: string): Json {
  if (!isJsonObject(value)) throw invalid(`${where} must be a JSON object.`);
  return value as Json;
}

function arrayAt(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(`${where} must be an array.`);
  return value;
}

function stringAt(value: unknown, where: string): string {
  if (typeof value !== 'string') throw invalid(`${where} must be a string.`);
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  return value === undefined || value === null ? undefined : stringAt(value, where);
}

function invalid(message: string): IotHubError {
  return argumentInvalid(message);
}
