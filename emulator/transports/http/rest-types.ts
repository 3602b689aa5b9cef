import type { IncomingHttpHeaders } from 'node:http';

import type { QueryPage } from '../../query/index.js';
import type { C2dService } from '../../services/c2d-service.js';
import type { ConfigurationService } from '../../services/configurations/configuration-service.js';
import type { DigitalTwinService } from '../../services/digital-twins/digital-twin-service.js';
import type { JobService } from '../../services/jobs/job-service.js';
import type { MethodService } from '../../services/method-service.js';
import type { ModuleService } from '../../services/module-service.js';
import type { RegistryService } from '../../services/registry-service.js';
import type { TwinService } from '../../services/twin-service.js';
import type { PolicyRight } from '../../model/hub-state.js';
import type { RequestContext } from '../../model/request-context.js';

/** A REST request after the edge did its work (house-style H8): route matched, ids decoded, JSON parsed. */
export interface RestRequest {
  readonly method: string;
  /** Path without the query string, as sent (still percent-encoded). */
  readonly path: string;
  /** Route parameters, percent-decoded (`/devices/a%3Ab` → `a:b`). */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when the request had none. */
  readonly body: unknown;
  /** The body as sent (UTF-8), for rules that need the literal text (integer literals); '' when none. */
  readonly bodyText: string;
  /** The request's time, captured once (house-style H11). */
  readonly now: Date;
  /** Time, correlation id, the calling policy and the operation, for the services (house-style H8, H11, H24). */
  readonly context: RequestContext;
}

/** What a handler answers; `body` is serialised as JSON, `undefined` means no body. */
export interface RestResponse {
  readonly status: number;
  readonly body?: unknown;
  /** Extra headers, names exactly as they must appear on the wire (lower case: `x-ms-continuation`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The services a REST operation may call (transports hold no IoT Hub rules, house-style H5). */
export interface RestServices {
  readonly registry: RegistryService;
  readonly twins: TwinService;
  readonly methods: MethodService;
  readonly c2d: C2dService;
  readonly modules: ModuleService;
  /** Scheduled jobs (jobs v2). */
  readonly jobs: JobService;
  /** Configurations (automatic device management). */
  readonly configurations: ConfigurationService;
  /** The IoT Plug and Play digital twin API. */
  readonly digitalTwins: DigitalTwinService;
  /** Runs an IoT Hub query over every device and module twin. */
  query(text: string, options: { pageSize?: number; continuation?: string }): QueryPage;
}

/** One REST operation: a file in `handlers/`, named verb-noun (house-style H6). */
export type RestOperation = (request: RestRequest, services: RestServices) => RestResponse | Promise<RestResponse>;

/** A row of the route table. */
export interface RouteDefinition {
  readonly method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  /** Path pattern with `{name}` segments, e.g. `/twins/{deviceId}/methods`. */
  readonly pattern: string;
  /** Shared-access-policy permission the caller needs (iothub-protocol.md §2.3 step 5). */
  readonly right: PolicyRight;
  readonly operation: RestOperation;
}
