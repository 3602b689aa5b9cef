/**
 * Who made a request. Every write records its principal in the twin change log, and throttling keys on it.
 * `studio` is the Twin Studio UI (its control API), `hub` the emulator itself (default policies, expiry).
 */
export type Principal =
  | { readonly kind: 'device'; readonly deviceId: string; readonly moduleId?: string }
  | { readonly kind: 'service'; readonly policy: string }
  | { readonly kind: 'studio' }
  | { readonly kind: 'job'; readonly jobId: string }
  /** The provisioning service (DPS) creating or updating the device a registration id was assigned. */
  | { readonly kind: 'provisioning'; readonly registrationId: string }
  | { readonly kind: 'configuration'; readonly configurationId: string }
  | { readonly kind: 'hub' };

/** Which edge a request came in on. */
export type RequestProtocol = 'mqtt' | 'http' | 'amqp' | 'studio' | 'internal';

/**
 * What every service operation receives (house-style H11, H24): the request's time captured once at the edge, a
 * correlation id that every log line carries, the authenticated principal, and the operation's name. It is also
 * the one gate that throttling and fault injection will use.
 */
export interface RequestContext {
  /** When the request entered the hub, captured once (ISO 8601 with milliseconds). */
  readonly time: string;
  /** `$rid`, REST request id or connection id: what log lines and traffic events carry. */
  readonly correlationId: string;
  readonly principal: Principal;
  /** The operation's name, e.g. `twin.patchReported`, `registry.create`, `query.run`. */
  readonly operation: string;
  readonly protocol: RequestProtocol;
}

/** A readable name for a principal, as shown in the twin change log (`device:d1`, `service:iothubowner`). */
export function principalName(principal: Principal): string {
  switch (principal.kind) {
    case 'device':
      return principal.moduleId === undefined ? `device:${principal.deviceId}` : `device:${principal.deviceId}/${principal.moduleId}`;
    case 'service':
      return `service:${principal.policy}`;
    case 'job':
      return `job:${principal.jobId}`;
    case 'provisioning':
      return `provisioning:${principal.registrationId}`;
    case 'configuration':
      return `configuration:${principal.configurationId}`;
    default:
      return principal.kind;
  }
}
