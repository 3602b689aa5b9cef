import { managementNotFound } from '../../errors/catalogue.js';
import type { ConsumerGroupRecord } from '../../model/consumer-group.js';
import { BUILT_IN_ENDPOINT } from '../../model/routing.js';
import type { ResourceScope } from './certificate-json.js';
import type { ManagementRequest, ManagementResponse, ManagementRoute, ManagementServices } from './management-routes.js';

const GROUPS = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Devices/IotHubs/{resourceName}/eventHubEndpoints/{eventHubEndpointName}/ConsumerGroups';

/**
 * The Resource Manager paths of `IotHubResource.*EventHubConsumerGroup*` (`@azure/arm-iothub`, iothub-protocol-2.md §5):
 * list, get, create (PUT, idempotent) and delete the consumer groups of the built-in endpoint `events`.
 */
export const CONSUMER_GROUP_ROUTES: readonly ManagementRoute[] = [
  { method: 'GET', pattern: GROUPS, operation: listGroups },
  { method: 'GET', pattern: `${GROUPS}/{name}`, operation: getGroup },
  { method: 'PUT', pattern: `${GROUPS}/{name}`, operation: putGroup },
  { method: 'DELETE', pattern: `${GROUPS}/{name}`, operation: deleteGroup },
];

function listGroups(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  checkEndpoint(request);
  return Promise.resolve({ status: 200, body: { value: services.consumerGroups.list().map((record) => groupJson(record, request.scope)) } });
}

function getGroup(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  checkEndpoint(request);
  return Promise.resolve({ status: 200, body: groupJson(services.consumerGroups.get(request.params.name ?? ''), request.scope) });
}

async function putGroup(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  checkEndpoint(request);
  return { status: 200, body: groupJson(await services.consumerGroups.create(request.params.name ?? ''), request.scope) };
}

async function deleteGroup(request: ManagementRequest, services: ManagementServices): Promise<ManagementResponse> {
  checkEndpoint(request);
  await services.consumerGroups.delete(request.params.name ?? '');
  return { status: 200 };
}

/** Only the built-in endpoint `events` exists. */
function checkEndpoint(request: ManagementRequest): void {
  const endpoint = request.params.eventHubEndpointName ?? '';
  if (endpoint.toLowerCase() !== BUILT_IN_ENDPOINT) throw managementNotFound('NotFound', `The Event Hub-compatible endpoint '${endpoint}' does not exist; the hub has '${BUILT_IN_ENDPOINT}'.`);
}

/** `EventHubConsumerGroupInfo` as `@azure/arm-iothub` reads it. */
function groupJson(record: ConsumerGroupRecord, scope: ResourceScope): Record<string, unknown> {
  return {
    properties: { created: new Date(record.created).toUTCString() },
    id: `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroupName}/providers/Microsoft.Devices/IotHubs/${scope.resourceName}/eventHubEndpoints/${BUILT_IN_ENDPOINT}/ConsumerGroups/${record.name}`,
    name: record.name,
    type: 'Microsoft.Devices/IotHubs/EventHubEndpoints/ConsumerGroups',
  };
}
