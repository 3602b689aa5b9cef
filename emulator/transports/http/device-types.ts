import type { IncomingHttpHeaders } from 'node:http';

import type { FaultEngine } from '../../faults/fault-engine.js';
import type { RequestContext } from '../../model/request-context.js';
import type { TwinAddress } from '../../model/twin-address.js';
import type { C2dService } from '../../services/c2d-service.js';
import type { TelemetryService } from '../../services/telemetry-service.js';
import type { RoutePattern } from './router.js';

/** A device HTTPS request after the edge did its work (house-style H8): route matched, identity authenticated. */
export interface DeviceRequest {
  /** The identity the path names and the token proved (`/devices/{id}` or `/devices/{id}/modules/{mid}`). */
  readonly address: TwinAddress;
  /** Route parameters, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The body bytes as sent (empty when none). */
  readonly body: Buffer;
  /** Time, correlation id, the device principal and the operation (house-style H8, H11, H24). */
  readonly context: RequestContext;
}

/** What a device operation answers; `body` is sent as bytes, headers exactly as named. */
export interface DeviceResponse {
  readonly status: number;
  readonly body?: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The services a device operation may call (house-style H5). */
export interface DeviceServices {
  readonly telemetry: Pick<TelemetryService, 'receive'>;
  readonly c2d: Pick<C2dService, 'lock' | 'completeLocked' | 'rejectLocked' | 'abandonLocked'>;
  /** Injected faults (emulator/faults/): the SDKs' fault-request messages; absent = none. */
  readonly faults?: Pick<FaultEngine, 'onDeviceMessage'>;
}

/** One device operation: a file in `handlers/`, named verb-noun (house-style H6). */
export type DeviceOperation = (request: DeviceRequest, services: DeviceServices) => Promise<DeviceResponse>;

/** A row of the device route table; every device route is authorised with the identity's own SAS token. */
export interface DeviceRouteDefinition extends RoutePattern {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly operation: DeviceOperation;
  /** The traffic kind the studio files the call under. */
  readonly traffic: 'telemetry' | 'c2d' | 'other';
}
