import { isSasTokenExpired, parseSasToken, verifySasSignature } from '../auth/sas-token.js';
import { missingRight, unauthorized } from '../errors/catalogue.js';
import type { IotHubError } from '../errors/iothub-error.js';
import type { HubState, PolicyRight } from '../model/hub-state.js';
import { policyOf } from '../state/state-lookups.js';
import type { Clock } from '../util/clock.js';

/** A caller of the service-facing APIs (REST, AMQP C2D), authenticated by a shared access policy. */
export interface ServicePrincipal {
  readonly policyName: string;
  readonly rights: readonly PolicyRight[];
  /** Token expiry, seconds since the epoch. */
  readonly expiresAtSeconds: number;
}

/** Result of {@link ServiceAuthenticator.authenticate}; never throws (house-style H8). */
export type ServiceAuthResult = { ok: true; principal: ServicePrincipal } | { ok: false; error: IotHubError };

/**
 * Verifies service-side SAS tokens (`Authorization: SharedAccessSignature sr=<host>&sig=…&skn=<policy>&se=…`, and
 * the CBS put-token of AMQP) against the hub's shared access policies: iothub-protocol.md §2.3.
 *
 * - Only policy tokens (`skn` present) are accepted: device- and module-key tokens are for device endpoints, so
 *   they get 401 here.
 * - `sr` must name this hub: its first segment is compared case-insensitively with the configured host name or the
 *   host the request was sent to (the `Host` header without its port). The path part of a policy token's `sr` is
 *   NOT checked: IoT Explorer signs every service call with `sr=<host>/devices/query` and the real hub accepts it for
 *   `/twins/…` and `/devices/…` too (§2.3, "lenient on the path part of policy-token scopes").
 * - Signature over the raw `sr` with the policy's primary or secondary key; `se` in the past is rejected.
 * - The policy must hold the right the operation needs.
 */
export class ServiceAuthenticator {
  constructor(
    private readonly state: HubState,
    private readonly hostName: string,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks a token for an operation needing `right`. `requestHost` is the host the client addressed (HTTP `Host`
   * header or the AMQP audience), accepted in addition to the configured host name.
   */
  authenticate(token: string | undefined, right: PolicyRight, requestHost?: string): ServiceAuthResult {
    if (token === undefined || token === '') return deny('Missing SharedAccessSignature authorization.');
    const parsed = parseSasToken(token);
    if (!parsed.ok) return deny(`Malformed SharedAccessSignature: ${parsed.error}`);
    const sas = parsed.value;
    if (sas.skn === undefined) {
      return deny('A device or module token cannot call the service API; use a shared access policy (skn).');
    }
    const policy = policyOf(this.state, sas.skn);
    if (!policy) return deny(`Unknown shared access policy '${sas.skn}'.`);
    if (!this.namesThisHub(sas.resource, requestHost)) return deny(`The token audience '${sas.resource}' is not this hub.`);
    // An `sb://` audience is the Event Hub-compatible endpoint (a Service Bus entity): Event Hubs clients sign with
    // the key's text, not its decoded bytes (iothub-protocol-2.md §5.2).
    const keyEncoding = /^sb:\/\//i.test(sas.resource) ? 'text' : 'base64';
    if (!verifySasSignature(sas, [policy.primaryKey, policy.secondaryKey], keyEncoding)) return deny('The SAS signature does not match.');
    if (isSasTokenExpired(sas, Math.floor(this.clock.now().getTime() / 1000))) return deny('The SAS token has expired.');
    if (!policy.rights.includes(right)) {
      return { ok: false, error: missingRight(policy.keyName, right) };
    }
    return { ok: true, principal: { policyName: policy.keyName, rights: policy.rights, expiresAtSeconds: sas.se } };
  }

  private namesThisHub(resource: string, requestHost: string | undefined): boolean {
    const host = resource.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '').split('/')[0]?.toLowerCase() ?? '';
    if (host === '') return false;
    const accepted = [this.hostName, requestHost].filter((name): name is string => !!name).map(stripPort);
    return accepted.some((name) => name === stripPort(host));
  }
}

/** `localhost:443` → `localhost`; `[::1]:443` → `[::1]`. */
function stripPort(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.lastIndexOf(':');
  return colon > 0 && lower.indexOf(':') === colon ? lower.slice(0, colon) : lower;
}

function deny(message: string): ServiceAuthResult {
  return { ok: false, error: unauthorized(message) };
}
