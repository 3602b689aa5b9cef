import type { IncomingMessage, ServerResponse } from 'node:http';

import { dpsUnauthorized } from '../../errors/dps-catalogue.js';
import { isIotHubError } from '../../errors/iothub-error.js';
import { toDpsError } from '../../errors/to-dps.js';
import type { Logger } from '../../logger.js';
import type { Principal } from '../../model/request-context.js';
import type { DpsServiceAuthenticator } from '../../provisioning/dps-service-authenticator.js';
import { requestContext } from '../../services/request-contexts.js';
import type { Clock } from '../../util/clock.js';
import { readJsonBody } from '../http/request-body.js';
import { Router, type RouteMatch } from '../http/router.js';
import type { TrafficTap } from '../tap.js';
import { DPS_DEVICE_ROUTES, DPS_SERVICE_ROUTES } from './dps-routes.js';
import type { DpsRequest, DpsResponse, DpsRoute, DpsServices } from './dps-types.js';
import { headerOf } from '../http/header-of.js';
import { presentedChain } from '../peer-certificate.js';

/** What the DPS HTTPS API needs from the emulator. */
export interface DpsApiDeps {
  readonly services: DpsServices;
  readonly serviceAuthenticator: DpsServiceAuthenticator;
  readonly tap: TrafficTap;
  readonly clock: Clock;
  readonly logger: Logger;
}

const ID_SCOPE = /^0ne[0-9A-Fa-f]{8}$/;

/** Serves a request when its path is a DPS route (true), or leaves it to the hub's APIs (false). */
export type DpsApi = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The provisioning service on the hub's HTTPS port (iothub-protocol-2.md §0.1: DPS HTTPS and its service API only
 * dial 443, so DPS shares the hub's listener and is told apart by path): device routes under `/<idScope>/…`, service
 * routes under `/enrollments`, `/enrollmentGroups`, `/registrations`. Same steps as the hub's REST API — route →
 * authenticate → read the body → operation → reply — with DPS's error envelope and `x-ms-error-code`.
 */
export function createDpsApi(deps: DpsApiDeps): DpsApi {
  const devices = new Router<DpsRoute>(DPS_DEVICE_ROUTES);
  const services = new Router<DpsRoute>(DPS_SERVICE_ROUTES);
  return (request, response) => {
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const device = devices.match(method, path);
    // A device route is DPS's only when its first segment is an id scope (`0ne` + 8 hex digits; hub paths never
    // start so: `/devices/registrations/modules/register` is a module of the hub). A scope that is not this hub's
    // is then refused by authentication (401), as DPS refuses a token for another scope.
    const deviceMatch = device.kind === 'match' && ID_SCOPE.test(device.match.params.idScope ?? '') ? device.match : undefined;
    const service = deviceMatch ? undefined : services.match(method, path);
    const match = deviceMatch ?? (service?.kind === 'match' ? service.match : undefined);
    if (!match) return false;
    void handle(deps, match, request, response).catch((error: unknown) => {
      deps.logger.error(`DPS handler crashed: ${String(error)}`);
      if (!response.headersSent) writeReply(response, errorReply(error, deps.clock.now()));
    });
    return true;
  };
}

async function handle(deps: DpsApiDeps, match: RouteMatch<DpsRoute>, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const now = deps.clock.now();
  const { route, params } = match;
  const authorization = headerOf(request, 'authorization');
  let principal: Principal;
  let device: DpsRequest['device'];
  if (route.access.kind === 'device') {
    // No Authorization header: the TLS client certificate is the credential (X.509 attestation).
    const certificate = authorization === undefined || authorization === '' ? presentedChain(request.socket) : [];
    const auth = deps.services.registrations.authenticate(params.idScope ?? '', params.registrationId ?? '', authorization, certificate);
    if (!auth.ok) return refuse(deps, request, response, auth.error, now);
    device = auth.principal;
    principal = { kind: 'provisioning', registrationId: device.registrationId };
  } else {
    const auth = deps.serviceAuthenticator.authenticate(authorization, route.access.right, headerOf(request, 'host'));
    if (!auth.ok) return refuse(deps, request, response, auth.error, now);
    principal = { kind: 'service', policy: auth.policyName };
  }
  const body = await readJsonBody(request);
  if (!body.ok) {
    if (body.abort) response.once('finish', () => request.socket.destroy());
    return finish(deps, request, response, errorReply(body.error, now), '');
  }
  const context = requestContext(deps.clock, { time: now, correlationId: headerOf(request, 'request-id'), principal, operation: `dps ${route.method} ${route.pattern}`, protocol: 'http' });
  const dpsRequest: DpsRequest = { params, query: new URL(request.url ?? '/', 'https://dps').searchParams, headers: request.headers, body: body.value, context, ...(device ? { device } : {}) };
  let result: DpsResponse;
  try {
    result = await route.operation(dpsRequest, deps.services);
  } catch (error) {
    if (!isIotHubError(error)) deps.logger.error(`${context.operation} failed: ${error instanceof Error ? error.stack : String(error)}`, context.correlationId);
    result = errorReply(error, now);
  }
  return finish(deps, request, response, result, body.text);
}

function refuse(deps: DpsApiDeps, request: IncomingMessage, response: ServerResponse, error: unknown, now: Date): void {
  request.resume();
  deps.logger.debug(`DPS request refused: ${error instanceof Error ? error.message : String(error)}`);
  finish(deps, request, response, errorReply(error ?? dpsUnauthorized(), now), '');
}

function errorReply(error: unknown, now: Date): DpsResponse {
  const wire = toDpsError(error, now);
  return { status: wire.status, body: JSON.parse(wire.body) as unknown, headers: { 'x-ms-error-code': String(wire.errorCode) } };
}

function finish(deps: DpsApiDeps, request: IncomingMessage, response: ServerResponse, result: DpsResponse, requestBody: string): void {
  const sent = writeReply(response, result);
  deps.tap.record({
    deviceId: undefined,
    direction: 'in',
    protocol: 'http',
    kind: 'rest',
    topic: `DPS ${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0]}`,
    status: result.status,
    payload: requestBody ? `${requestBody}\n→ ${sent}` : sent,
  });
}

function writeReply(response: ServerResponse, result: DpsResponse): string {
  const text = result.body === undefined ? '' : JSON.stringify(result.body);
  const headers: Record<string, string> = { ...result.headers, 'content-length': String(Buffer.byteLength(text)) };
  if (text !== '') headers['content-type'] = 'application/json; charset=utf-8';
  response.writeHead(result.status, headers);
  response.end(text);
  return text;
}
