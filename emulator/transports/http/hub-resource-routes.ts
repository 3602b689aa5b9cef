import { argumentInvalid, preconditionFailed } from '../../errors/catalogue.js';
import { isJsonObject, type JsonObject } from '../../model/json.js';
import { ROUTE_SOURCES, type RouteSource } from '../../model/routing.js';
import { matchingRoutes, testRoute, type RouteTestMessage } from '../../services/route-test.js';
import { routeFromArm, routingFromArm, routingToArm } from '../../services/routing-config.js';
import type { ResourceScope } from './certificate-json.js';
import type { ManagementRequest, ManagementResponse, ManagementRoute, ManagementServices } from './management-routes.js';

const HUB = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Devices/IotHubs/{resourceName}';

/** What the hub resource shows besides its routing. */
export interface HubResourceFacts {
  readonly hostName: string;
  /** The built-in endpoint: its Event Hub-compatible name, partitions and retention. */
  readonly builtIn: () => { readonly name: string; readonly partitionIds: readonly string[]; readonly retentionDays: number };
  /** `sb://<host>[:<port>]/`, the namespace endpoint of the Event Hub-compatible entities (empty when AMQP is off). */
  readonly eventHubNamespace: () => string;
}

/**
 * The hub resource itself (`IotHubResource.get` / `beginCreateOrUpdate` of `@azure/arm-iothub`) and the route tests
 * (`testRoute`, `testAllRoutes`): GET answers an `IotHubDescription` with `properties.routing` as in force; PUT takes
 * `properties.routing` (routes, fallback, endpoints, enrichments; iothub-protocol-2.md §6.1), checks it, makes it
 * durable and answers the description with `provisioningState: Succeeded` (the long-running operation is done at
 * once); `If-Match` with an older `etag` (the routing changed since that GET) is refused with 412 PreconditionFailed.
 * Everything else in the PUT body (SKU, location, tags, other properties) is accepted and ignored.
 */
export const HUB_RESOURCE_ROUTES: readonly ManagementRoute[] = [
  { method: 'GET', pattern: HUB, operation: getHub },
  { method: 'PUT', pattern: HUB, operation: putHub },
  { method: 'POST', pattern: `${HUB}/routing/routes/$testnew`, operation: testNew },
  { method: 'POST', pattern: `${HUB}/routing/routes/$testall`, operation: testAll },
];

function getHub(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  return Promise.resolve({ status: 200, body: hubJson(request.scope, services) });
}

async function putHub(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  const body = request.body;
  if (!isJsonObject(body)) throw argumentInvalid('The body must be an IotHubDescription JSON object.');
  const properties = body.properties;
  if (properties !== undefined && !isJsonObject(properties)) throw argumentInvalid('properties must be a JSON object.');
  const routing = properties?.routing;
  if (routing !== undefined && routing !== null) await services.routing.set(routingFromArm(routing, services.routing.config), request.ifMatch);
  else if (request.ifMatch !== undefined && request.ifMatch !== '*' && request.ifMatch.replace(/^"(.*)"$/, '$1') !== services.routing.etag()) {
    throw preconditionFailed(`The hub's routing changed: its etag is ${services.routing.etag()}.`);
  }
  return { status: 200, body: hubJson(request.scope, services) };
}

function testNew(request: ManagementRequest): Promise<ManagementResponse> {
  const body = objectBody(request.body);
  const route = routeFromArm(body.route, 'route');
  const outcome = testRoute(route, messageOf(body.message), twinOf(body.twin));
  const compilationErrors = outcome.compilationErrors.map((problem) => ({
    message: problem.message,
    severity: 'error',
    location: { start: { line: 1, column: problem.column }, end: { line: 1, column: problem.endColumn } },
  }));
  return Promise.resolve({ status: 200, body: { result: outcome.result, details: { compilationErrors } } });
}

function testAll(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  const body = objectBody(request.body);
  const sourceText = typeof body.routingSource === 'string' ? body.routingSource : 'DeviceMessages';
  const source = ROUTE_SOURCES.find((candidate) => candidate.toLowerCase() === sourceText.toLowerCase());
  if (!source) throw argumentInvalid(`routingSource '${sourceText}' is not routed by this hub (sources: ${ROUTE_SOURCES.join(', ')}).`);
  const routes = matchingRoutes(services.routing.config.routes, source as RouteSource, messageOf(body.message), twinOf(body.twin));
  return Promise.resolve({ status: 200, body: { routes: routes.map((route) => ({ properties: route })) } });
}

function objectBody(body: unknown): JsonObject {
  if (!isJsonObject(body)) throw argumentInvalid('The body must be a JSON object.');
  return body;
}

function messageOf(value: unknown): RouteTestMessage {
  if (!isJsonObject(value)) return {};
  const strings = (map: unknown): Record<string, string> | undefined => {
    if (!isJsonObject(map)) return undefined;
    const result: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [key, entry] of Object.entries(map)) if (typeof entry === 'string') result[key] = entry;
    return result;
  };
  const appProperties = strings(value.appProperties);
  const systemProperties = strings(value.systemProperties);
  return {
    ...(typeof value.body === 'string' ? { body: value.body } : {}),
    ...(appProperties ? { appProperties } : {}),
    ...(systemProperties ? { systemProperties } : {}),
  };
}

/** ARM's `RoutingTwin` (`tags`, `properties.desired|reported`) is already the shape `$twin` reads. */
function twinOf(value: unknown): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

/** `IotHubDescription` as `@azure/arm-iothub` reads it. */
function hubJson(scope: ResourceScope, services: ManagementServices): JsonObject {
  const facts = services.hubResource;
  const builtIn = facts.builtIn();
  const namespace = facts.eventHubNamespace();
  return {
    id: `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroupName}/providers/Microsoft.Devices/IotHubs/${scope.resourceName}`,
    name: scope.resourceName,
    type: 'Microsoft.Devices/IotHubs',
    etag: services.routing.etag(),
    location: 'local',
    tags: {},
    sku: { name: 'S1', tier: 'Standard', capacity: 1 },
    properties: {
      state: 'Active',
      provisioningState: 'Succeeded',
      hostName: facts.hostName,
      eventHubEndpoints: {
        events: { retentionTimeInDays: builtIn.retentionDays, partitionCount: builtIn.partitionIds.length, partitionIds: [...builtIn.partitionIds], path: builtIn.name, endpoint: namespace },
      },
      routing: routingToArm(services.routing.config, namespace),
    },
  };
}
