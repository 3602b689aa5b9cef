import type { Message } from 'rhea';

import { parseSasToken } from '../../auth/sas-token.js';
import type { TwinAddress } from '../../model/twin-address.js';
import type { DeviceAuthenticator } from '../../services/device-authenticator.js';
import type { ServiceAuthenticator } from '../../services/service-authenticator.js';

/** What an accepted put-token authorises on its connection. */
export type CbsGrant =
  | { readonly kind: 'service'; readonly policy: string; readonly expiresAtSeconds: number }
  | { readonly kind: 'device'; readonly address: TwinAddress; readonly expiresAtSeconds: number };

/** The CBS reply (`status-code`, `status-description`) and, when accepted, the grant. */
export interface CbsOutcome {
  readonly status: number;
  readonly description: string;
  readonly grant?: CbsGrant;
}

/** Who verifies tokens: the service policies (ServiceConnect) and the device registry. */
export interface CbsAuthenticators {
  readonly service: Pick<ServiceAuthenticator, 'authenticate'>;
  readonly device: Pick<DeviceAuthenticator, 'authenticateToken'>;
}

const IDENTITY_AUDIENCE = /^([^/]+)\/devices\/([^/]+)(?:\/modules\/([^/]+))?\/?$/i;

/**
 * One `$cbs` put-token (iothub-protocol.md §6.3, iothub-protocol-2.md §3.2): a token whose audience names a device
 * (`<host>/devices/<d>`) or module (`…/modules/<m>`) is checked like an MQTT CONNECT for that identity and grants
 * its device links; any other audience is a service token, checked like a REST call needing ServiceConnect. 200 and
 * the grant, or 401 (400 for an operation that is not put-token) and nothing.
 */
export function verifyPutToken(message: Message, auth: CbsAuthenticators, requestHost: string | undefined): CbsOutcome {
  const props = (message.application_properties ?? {}) as Record<string, unknown>;
  if (props.operation !== 'put-token') return { status: 400, description: `Unsupported CBS operation '${String(props.operation)}'.` };
  const token = typeof message.body === 'string' ? message.body : Buffer.isBuffer(message.body) ? message.body.toString('utf8') : '';
  const address = identityOfToken(token);
  if (address) {
    const result = auth.device.authenticateToken(token, address, requestHost);
    if (!result.ok) return { status: 401, description: result.reason };
    return { status: 200, description: 'OK', grant: { kind: 'device', address, expiresAtSeconds: result.principal.expiresAtSeconds } };
  }
  const result = auth.service.authenticate(token, 'ServiceConnect', requestHost);
  if (!result.ok) return { status: 401, description: result.error.message };
  return { status: 200, description: 'OK', grant: { kind: 'service', policy: result.principal.policyName, expiresAtSeconds: result.principal.expiresAtSeconds } };
}

/** The device or module a token's `sr` names, or undefined for a hub-level (service) audience. */
function identityOfToken(token: string): TwinAddress | undefined {
  const parsed = parseSasToken(token);
  if (!parsed.ok) return undefined;
  const match = IDENTITY_AUDIENCE.exec(parsed.value.resource);
  if (!match?.[2]) return undefined;
  const deviceId = match[2];
  return match[3] === undefined ? { deviceId } : { deviceId, moduleId: match[3] };
}
