import type { IncomingMessage, ServerResponse } from 'node:http';

import { routeNotFound } from '../../errors/catalogue.js';
import { isIotHubError } from '../../errors/iothub-error.js';
import { toHttpError } from '../../errors/to-http.js';
import type { Logger } from '../../logger.js';
import type { ServiceAuthenticator } from '../../services/service-authenticator.js';
import type { Clock } from '../../util/clock.js';
import type { TrafficTap } from '../tap.js';
import type { DpsApi } from '../dps/dps-http-api.js';
import type { DeviceApi } from './device-api.js';
import type { ManagementApi } from './management-api.js';
import type { RestHandler } from './https-listener.js';
import { readJsonBody } from './request-body.js';
import type { RestRequest, RestResponse, RestServices } from './rest-types.js';
import { Router } from './router.js';
import { ROUTES } from './routes.js';
import { requestContext } from '../../services/request-contexts.js';
import type { RequestGate } from '../../services/request-gate.js';
import { headerOf } from './header-of.js';

/** What the REST API needs from the emulator. */
export interface RestApiDeps {
  readonly services: RestServices;
  readonly authenticator: ServiceAuthenticator;
  readonly tap: TrafficTap;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The device HTTPS routes (`device-api.ts`), tried first; the rest are service routes. */
  readonly device?: DeviceApi;
  /** The Resource Manager paths (`/subscriptions/…`, management-api.ts), tried before the service routes. */
  readonly management?: ManagementApi;
  /** The provisioning service's routes (`transports/dps/`), tried before everything else. */
  readonly dps?: DpsApi;
  /** The request gate (`services/request-gate.ts`): throttles, quotas and faults; absent or empty = nothing checked. */
  readonly gate?: RequestGate;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The IoT Hub service REST API (iothub-protocol.md §8) as a request handler for the HTTPS listener. Each request
 * goes through the same named steps: route → authenticate → read body → operation → reply; every failure is an
 * IotHubError answered in the hub's envelope (house-style H9). Any `api-version` is accepted (§0).
 */
export function createRestApi(deps: RestApiDeps): RestHandler {
  const router = new Router(ROUTES);
  return (request, response) => {
    if (deps.dps?.(request, response)) return;
    if (deps.device?.(request, response)) return;
    if (deps.management?.(request, response)) return;
    void handle(deps, router, request, response).catch((error: unknown) => {
      deps.logger.error(`REST handler crashed: ${String(error)}`);
      if (!response.headersSent) reply(request, response, errorReply(error, deps.clock.now()));
    });
  };
}

async function handle(deps: RestApiDeps, router: Router, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const now = deps.clock.now();
  const url = new URL(request.url ?? '/', 'https://hub');
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const method = request.method ?? 'GET';
  const routed = router.match(method, path);
  if (routed.kind !== 'match') {
    request.resume();
    const error = routed.kind === 'invalid' ? routed.error : routeNotFound(method, path);
    return finish(deps, request, response, errorReply(error, now), undefined, now);
  }
  const { route, params } = routed.match;
  const auth = deps.authenticator.authenticate(headerOf(request, 'authorization'), route.right, hostOf(request));
  if (!auth.ok) {
    request.resume();
    return finish(deps, request, response, errorReply(auth.error, now), params, now);
  }
  const body = await readJsonBody(request);
  if (!body.ok) {
    if (body.abort) response.setHeader('connection', 'close');
    return finish(deps, request, response, errorReply(body.error, now), params, now, undefined, body.abort);
  }
  const context = requestContext(deps.clock, {
    time: now,
    correlationId: headerOf(request, 'x-ms-client-request-id'),
    principal: { kind: 'service', policy: auth.principal.policyName },
    operation: `${method} ${route.pattern}`,
    protocol: 'http',
  });
  const restRequest: RestRequest = { method, path, params, query: url.searchParams, headers: request.headers, body: body.value, bodyText: body.text, now, context };
  let result: RestResponse;
  try {
    if (deps.gate?.active) await deps.gate.admit(context, { deviceId: params.deviceId, moduleId: params.moduleId, bytes: body.bytes });
    result = await route.operation(restRequest, deps.services);
  } catch (error) {
    if (!isIotHubError(error)) deps.logger.error(`${method} ${path} failed: ${error instanceof Error ? error.stack : String(error)}`, context.correlationId);
    result = errorReply(error, now);
  }
  return finish(deps, request, response, result, params, now, body.text);
}

interface ErrorReply extends RestResponse {
  readonly raw: string;
}

function errorReply(error: unknown, now: Date): ErrorReply {
  const wire = toHttpError(error, now);
  return { status: wire.status, headers: wire.headers, raw: wire.body };
}

function finish(
  deps: RestApiDeps,
  request: IncomingMessage,
  response: ServerResponse,
  result: RestResponse,
  params: Readonly<Record<string, string>> | undefined,
  started: Date,
  requestBody?: string,
  abort = false,
): void {
  const sent = reply(request, response, result);
  if (abort) response.once('finish', () => request.socket.destroy());
  deps.tap.record({
    deviceId: params?.deviceId,
    ...(params?.moduleId === undefined ? {} : { moduleId: params.moduleId }),
    direction: 'in',
    protocol: 'http',
    kind: 'rest',
    topic: `${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0]}`,
    status: result.status,
    startTime: started.toISOString(),
    payload: requestBody ? `${requestBody}\n→ ${sent}` : sent,
  });
}

/** Writes the reply; JSON bodies always carry `application/json; charset=utf-8` (§8.1). Returns the body text. */
function reply(request: IncomingMessage, response: ServerResponse, result: RestResponse): string {
  const text = 'raw' in result && typeof result.raw === 'string' ? result.raw : result.body === undefined ? '' : JSON.stringify(result.body);
  const headers: Record<string, string> = { ...result.headers };
  if (text !== '') headers['content-type'] = JSON_CONTENT_TYPE;
  const requestId = headerOf(request, 'request-id');
  if (requestId !== undefined) headers['request-id'] = requestId;
  headers['content-length'] = String(Buffer.byteLength(text));
  // writeHead keeps header names exactly as given: `x-ms-continuation` stays lower case (§9.1, Java matches it).
  response.writeHead(result.status, headers);
  response.end(text);
  return text;
}

function hostOf(request: IncomingMessage): string | undefined {
  return headerOf(request, 'host');
}
