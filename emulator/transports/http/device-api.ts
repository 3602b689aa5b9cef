import type { IncomingMessage, ServerResponse } from 'node:http';

import { unauthorized } from '../../errors/catalogue.js';
import { isIotHubError } from '../../errors/iothub-error.js';
import { toHttpError } from '../../errors/to-http.js';
import type { Logger } from '../../logger.js';
import type { TwinAddress } from '../../model/twin-address.js';
import type { DeviceAuthenticator } from '../../services/device-authenticator.js';
import { MAX_D2C_BODY_BYTES } from '../../services/telemetry-service.js';
import type { Clock } from '../../util/clock.js';
import { presentedChain } from '../peer-certificate.js';
import type { TrafficTap } from '../tap.js';
import { DEVICE_ROUTES } from './device-routes.js';
import type { DeviceRequest, DeviceResponse, DeviceRouteDefinition, DeviceServices } from './device-types.js';
import { readRawBody } from './request-body.js';
import { Router } from './router.js';
import { requestContext } from '../../services/request-contexts.js';
import type { RequestGate } from '../../services/request-gate.js';
import { headerOf } from './header-of.js';

/** What the device HTTPS API needs from the emulator. */
export interface DeviceApiDeps {
  readonly services: DeviceServices;
  readonly authenticator: Pick<DeviceAuthenticator, 'authenticateToken'>;
  readonly tap: TrafficTap;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The request gate (`services/request-gate.ts`); absent or empty = nothing checked. */
  readonly gate?: RequestGate;
  /** The largest D2C body (lenient mode raises it, services/leniency.ts); IoT Hub's 256 KB when absent. */
  readonly maxD2cBodyBytes?: number;
}

/** Serves a request when its path is a device route (true), or leaves it to the service REST API (false). */
export type DeviceApi = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The device HTTPS transport (iothub-protocol-2.md §4) on the hub's HTTPS port. Each request goes through the same
 * named steps as the service API: route → authenticate the identity the path names → read the body (≤ 256 KB, the
 * hub's largest message) → operation → reply; every failure is an IotHubError in the hub's REST envelope (H9).
 */
export function createDeviceApi(deps: DeviceApiDeps): DeviceApi {
  const router = new Router<DeviceRouteDefinition>(DEVICE_ROUTES);
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const routed = router.match(request.method ?? 'GET', path);
    if (routed.kind === 'none') return false;
    const step = routed.kind === 'invalid' ? Promise.resolve(finish(deps, request, response, errorReply(routed.error, deps.clock.now()))) : handle(deps, routed.match.route, routed.match.params, request, response);
    void step.catch((error: unknown) => {
      deps.logger.error(`device HTTPS handler crashed: ${String(error)}`);
      if (!response.headersSent) writeReply(response, errorReply(error, deps.clock.now()));
    });
    return true;
  };
}

async function handle(deps: DeviceApiDeps, route: DeviceRouteDefinition, params: Record<string, string>, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const now = deps.clock.now();
  const address: TwinAddress = params.moduleId === undefined ? { deviceId: params.deviceId ?? '' } : { deviceId: params.deviceId ?? '', moduleId: params.moduleId };
  const authorization = headerOf(request, 'authorization');
  // Without an Authorization header the device may have sent an X.509 certificate in the TLS handshake (§1.5).
  const certificate = authorization === undefined || authorization === '' ? presentedChain(request.socket) : [];
  const auth = deps.authenticator.authenticateToken(authorization, address, headerOf(request, 'host'), certificate);
  if (!auth.ok) {
    request.resume();
    deps.logger.info(`device HTTPS request refused: ${auth.reason}`, address.deviceId);
    return finish(deps, request, response, errorReply(unauthorized(`Unauthorized: ${auth.reason}`), now), route, address);
  }
  const body = await readRawBody(request, deps.maxD2cBodyBytes ?? MAX_D2C_BODY_BYTES);
  if (!body.ok) {
    if (body.abort) response.once('finish', () => request.socket.destroy());
    return finish(deps, request, response, errorReply(body.error, now), route, address);
  }
  const context = requestContext(deps.clock, {
    time: now,
    correlationId: headerOf(request, 'x-ms-client-request-id'),
    principal: { kind: 'device', ...address },
    operation: `${route.method} ${route.pattern}`,
    protocol: 'http',
  });
  const deviceRequest: DeviceRequest = { address, params, query: new URL(request.url ?? '/', 'https://hub').searchParams, headers: request.headers, body: body.value, context };
  let result: DeviceResponse;
  try {
    if (deps.gate?.active) await deps.gate.admit(context, { bytes: body.value.length });
    result = await route.operation(deviceRequest, deps.services);
  } catch (error) {
    if (!isIotHubError(error)) deps.logger.error(`${context.operation} failed: ${error instanceof Error ? error.stack : String(error)}`, context.correlationId);
    result = errorReply(error, now);
  }
  return finish(deps, request, response, result, route, address, body.value, params.lockToken);
}

function errorReply(error: unknown, now: Date): DeviceResponse {
  const wire = toHttpError(error, now);
  return { status: wire.status, headers: wire.headers, body: Buffer.from(wire.body) };
}

/** Replies and records the exchange in the traffic tap: telemetry in, C2D out (GET) or settled (DELETE/POST). */
function finish(deps: DeviceApiDeps, request: IncomingMessage, response: ServerResponse, result: DeviceResponse, route?: DeviceRouteDefinition, address?: TwinAddress, requestBody?: Buffer, lockToken?: string): void {
  writeReply(response, result);
  const outgoing = route?.method === 'GET' && result.status === 200;
  // A C2D delivery and its settlement carry the lock token, so the traffic view can pair them.
  const etag = result.headers?.etag;
  const rid = lockToken ?? (outgoing && typeof etag === 'string' ? etag.replace(/^"|"$/g, '') : undefined);
  deps.tap.record({
    deviceId: address?.deviceId,
    ...(address?.moduleId === undefined ? {} : { moduleId: address.moduleId }),
    direction: outgoing ? 'out' : 'in',
    protocol: 'http',
    kind: route?.traffic ?? 'other',
    topic: `${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0]}${request.method === 'DELETE' && /[?&]reject(?:[=&]|$)/.test(request.url ?? '') ? '?reject' : ''}`,
    status: result.status,
    ...(rid === undefined ? {} : { rid }),
    payload: outgoing || result.status >= 300 ? result.body : requestBody,
  });
}

function writeReply(response: ServerResponse, result: DeviceResponse): void {
  const body = result.body ?? Buffer.alloc(0);
  response.writeHead(result.status, { ...result.headers, 'content-length': String(body.length) });
  response.end(body);
}
