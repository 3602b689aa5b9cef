import { isSasTokenExpired, parseSasToken, verifySasSignature } from '../auth/sas-token.js';
import { dpsMissingRight, dpsUnauthorized } from '../errors/dps-catalogue.js';
import type { IotHubError } from '../errors/iothub-error.js';
import type { DpsInstance, DpsRight } from '../model/provisioning.js';
import type { Clock } from '../util/clock.js';
import { getOwn } from '../util/own-keys.js';

/** Result of {@link DpsServiceAuthenticator.authenticate}; never throws (house-style H8). */
export type DpsServiceAuthResult = { ok: true; policyName: string } | { ok: false; error: IotHubError };

/**
 * Verifies the service-side SAS of the provisioning service (`ProvisioningServiceClient`): a token signed with a
 * DPS policy key (`skn=provisioningserviceowner`), `sr` = the host of the DPS connection string, which is this
 * hub's host name (or the host the request was sent to), unexpired, with the right the operation needs
 * (iothub-protocol-2.md §2.9). Hub policies (`iothubowner`) are a different key set and are refused.
 */
export class DpsServiceAuthenticator {
  constructor(
    private readonly instance: () => DpsInstance,
    private readonly hostName: string,
    private readonly clock: Clock,
  ) {}

  authenticate(token: string | undefined, right: DpsRight, requestHost?: string): DpsServiceAuthResult {
    if (token === undefined || token === '') return deny('Missing SharedAccessSignature authorization.');
    const parsed = parseSasToken(token);
    if (!parsed.ok) return deny(`Malformed SharedAccessSignature: ${parsed.error}`);
    const sas = parsed.value;
    const policy = sas.skn === undefined ? undefined : getOwn(this.instance().policies, sas.skn);
    if (!policy) return deny(`Unknown provisioning service policy '${sas.skn ?? ''}'.`);
    const host = hostOf(sas.resource);
    if (![this.hostName, requestHost].some((name) => name !== undefined && hostOf(name) === host)) return deny(`The token audience '${sas.resource}' is not this provisioning service.`);
    if (!verifySasSignature(sas, [policy.primaryKey, policy.secondaryKey])) return deny('The SAS signature does not match.');
    if (isSasTokenExpired(sas, Math.floor(this.clock.now().getTime() / 1000))) return deny('The SAS token has expired.');
    if (!policy.rights.includes(right)) return { ok: false, error: dpsMissingRight(policy.keyName, right) };
    return { ok: true, policyName: policy.keyName };
  }
}

/** `https://Host:443/x` → `host`; `[::1]:443` → `[::1]`. */
function hostOf(text: string): string {
  const host = (text.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '').split('/')[0] ?? '').toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

function deny(message: string): DpsServiceAuthResult {
  return { ok: false, error: dpsUnauthorized(message) };
}
