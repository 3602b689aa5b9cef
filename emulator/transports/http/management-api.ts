import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';

import { managementApiVersionMissing, managementForbidden, managementNotFound, serverError } from '../../errors/catalogue.js';
import { isIotHubError, type IotHubError } from '../../errors/iothub-error.js';
import type { Logger } from '../../logger.js';
import type { ServiceAuthenticator } from '../../services/service-authenticator.js';
import type { TrafficTap } from '../tap.js';
import { CONSUMER_GROUP_ROUTES } from './consumer-group-routes.js';
import { MANAGEMENT_ROUTES, type ManagementResponse, type ManagementRoute, type ManagementServices } from './management-routes.js';
import { readJsonBody } from './request-body.js';
import { Router } from './router.js';
import { headerOf } from './header-of.js';

/** What the management plane needs from the emulator. */
export interface ManagementApiDeps {
  readonly services: ManagementServices;
  readonly authenticator: Pick<ServiceAuthenticator, 'authenticate'>;
  /** The hub's resource name: the first label of its host name (`localhost` for the default host). */
  readonly hubName: string;
  readonly tap: TrafficTap;
  readonly logger: Logger;
  /** Lenient mode (services/leniency.ts): a request without api-version is served. */
  readonly apiVersionOptional?: boolean;
}

/** Serves a request when its path is a Resource Manager path (true), or leaves it to the next API (false). */
export type ManagementApi = (request: IncomingMessage, response: ServerResponse) => boolean;

/** The policy whose token the management plane takes as the bearer token. */
const OWNER_POLICY = 'iothubowner';

/**
 * The slice of Azure Resource Manager that `@azure/arm-iothub`'s `IotHubClient.certificates` calls
 * (iothub-protocol-2.md §1.3), on the hub's HTTPS port: `…/providers/Microsoft.Devices/IotHubs/{hub}/certificates…`.
 * Point the client at it with `endpoint: 'https://<host>:<https port>'`. There is no Entra ID here: the bearer
 * token is an `iothubowner` SAS token (a `TokenCredential` whose `getToken` returns one), checked like a service
 * REST token. Any subscription id and resource group are accepted; the hub name must be this hub's. Errors have
 * Resource Manager's shape `{code, httpStatusCode, message}`.
 */
export function createManagementApi(deps: ManagementApiDeps): ManagementApi {
  const router = new Router<ManagementRoute>([...MANAGEMENT_ROUTES, ...CONSUMER_GROUP_ROUTES]);
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (!path.toLowerCase().startsWith('/subscriptions/')) return false;
    void handle(deps, router, request, response, path).catch((error: unknown) => {
      deps.logger.error(`management request crashed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) reply(deps, request, response, armError(serverError()));
    });
    return true;
  };
}

async function handle(deps: ManagementApiDeps, router: Router<ManagementRoute>, request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
  const method = request.method ?? 'GET';
  const routed = router.match(method, path);
  if (routed.kind !== 'match') {
    request.resume();
    const error = routed.kind === 'invalid' ? routed.error : managementNotFound('NotFound', `No Resource Manager route for ${method} ${path} on this emulator (only IotHubs/{hub}/certificates and IotHubs/{hub}/eventHubEndpoints/events/ConsumerGroups).`);
    return reply(deps, request, response, armError(error));
  }
  const { route, params } = routed.match;
  const query = new URL(request.url ?? '/', 'https://hub').searchParams;
  const refusal = checkRequest(deps, request, params, query);
  if (refusal) {
    request.resume();
    return reply(deps, request, response, armError(refusal));
  }
  const body = await readJsonBody(request);
  if (!body.ok) return reply(deps, request, response, armError(body.error));
  const scope = { subscriptionId: params.subscriptionId ?? '', resourceGroupName: params.resourceGroupName ?? '', resourceName: params.resourceName ?? '' };
  let result: ManagementResponse;
  try {
    result = await route.operation({ scope, params, ifMatch: headerOf(request, 'if-match'), body: body.value }, deps.services);
  } catch (error) {
    if (!isIotHubError(error)) deps.logger.error(`${method} ${route.pattern} failed: ${error instanceof Error ? error.stack : String(error)}`);
    result = armError(error);
  }
  return reply(deps, request, response, result, body.text);
}

/** api-version, the hub name, then the bearer token (an iothubowner SAS token). */
function checkRequest(deps: ManagementApiDeps, request: IncomingMessage, params: Readonly<Record<string, string>>, query: URLSearchParams): IotHubError | undefined {
  if (!query.get('api-version') && deps.apiVersionOptional !== true) {
    return managementApiVersionMissing();
  }
  if ((params.resourceName ?? '').toLowerCase() !== deps.hubName.toLowerCase()) {
    return managementNotFound('ResourceNotFound', `The Resource 'Microsoft.Devices/IotHubs/${params.resourceName ?? ''}' under resource group '${params.resourceGroupName ?? ''}' was not found; this emulator's hub is '${deps.hubName}'.`);
  }
  const authorization = headerOf(request, 'authorization') ?? '';
  const token = authorization.replace(/^Bearer\s+/i, '');
  const auth = deps.authenticator.authenticate(token, 'RegistryWrite', headerOf(request, 'host'));
  if (!auth.ok) return auth.error;
  return auth.principal.policyName === OWNER_POLICY ? undefined : managementForbidden(auth.principal.policyName);
}

/** Resource Manager's error shape (`ErrorDetails` of `@azure/arm-iothub`). */
function armError(error: unknown): ManagementResponse {
  const known = isIotHubError(error) ? error : serverError();
  return {
    status: known.httpStatus,
    body: { code: known.code, httpStatusCode: (STATUS_CODES[known.httpStatus] ?? 'Error').replace(/\s+/g, ''), message: known.message, details: `trackingId:${known.trackingId}` },
  };
}

function reply(deps: ManagementApiDeps, request: IncomingMessage, response: ServerResponse, result: ManagementResponse, requestBody?: string): void {
  const text = result.body === undefined ? '' : JSON.stringify(result.body);
  const headers: Record<string, string> = { 'content-length': String(Buffer.byteLength(text)) };
  if (text !== '') headers['content-type'] = 'application/json; charset=utf-8';
  response.writeHead(result.status, headers);
  response.end(text);
  deps.tap.record({
    deviceId: undefined,
    direction: 'in',
    protocol: 'http',
    kind: 'rest',
    topic: `${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0]}`,
    status: result.status,
    payload: requestBody ? `${requestBody}\n→ ${text}` : text,
  });
}
