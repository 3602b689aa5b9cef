import type { IncomingHttpHeaders } from 'node:http';

import type { DpsRight } from '../../model/provisioning.js';
import type { RequestContext } from '../../model/request-context.js';
import type { EnrollmentService } from '../../provisioning/enrollment-service.js';
import type { RegistrationPrincipal, RegistrationService } from '../../provisioning/registration-service.js';

/** A DPS HTTPS request after routing, authentication and body parsing. */
export interface DpsRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  readonly context: RequestContext;
  /** The device that proved its registration id (device routes only). */
  readonly device?: RegistrationPrincipal;
}

/** What a DPS operation answers; `body` is sent as JSON. */
export interface DpsResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The provisioning services the DPS routes call. */
export interface DpsServices {
  readonly enrollments: EnrollmentService;
  readonly registrations: RegistrationService;
}

/** One DPS operation. */
export type DpsOperation = (request: DpsRequest, services: DpsServices) => DpsResponse | Promise<DpsResponse>;

/** A row of the DPS route table: service routes need a DPS policy right, device routes a registration SAS. */
export interface DpsRoute {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly pattern: string;
  readonly access: { readonly kind: 'service'; readonly right: DpsRight } | { readonly kind: 'device' };
  readonly operation: DpsOperation;
}
