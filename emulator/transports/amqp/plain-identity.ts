import { parseSasToken } from '../../auth/sas-token.js';
import type { TwinAddress } from '../../model/twin-address.js';
import type { RegistrationAuthResult, RegistrationService } from '../../provisioning/registration-service.js';
import type { DeviceAuthenticator } from '../../services/device-authenticator.js';
import type { ServiceAuthenticator } from '../../services/service-authenticator.js';
import { parseDpsLinkAddress, type DpsLinkAddress } from './dps/dps-link-address.js';
import type { PlainCredentials } from './sasl-plain.js';

/** What a SASL PLAIN login on the hub's AMQP listener established. */
export type PlainIdentity =
  | { readonly kind: 'service'; readonly policy: string; readonly expiresAtSeconds: number }
  | { readonly kind: 'device'; readonly address: TwinAddress; readonly expiresAtSeconds: number }
  /** A DPS registration (`<idScope>/registrations/<id>`) and how its token fared, answered on its first request. */
  | { readonly kind: 'dps'; readonly address: DpsLinkAddress; readonly auth: RegistrationAuthResult };

export interface PlainAuthenticators {
  readonly service: Pick<ServiceAuthenticator, 'authenticate'>;
  readonly device: Pick<DeviceAuthenticator, 'authenticateToken'>;
  /** The provisioning service; DPS usernames are refused without it. */
  readonly provisioning?: Pick<RegistrationService, 'authenticate'>;
}

const SERVICE_USER = /^([^@]+)@sas\.root\.([^@]+)$/i;
const DEVICE_USER = /^([^@/]+)(?:\/modules\/([^@/]+))?@sas\.([^@]+)$/i;

/**
 * The two username forms IoT Hub documents for SASL PLAIN (iot-hub-amqp-support; iothub-protocol-2.md §3.1, §5.3),
 * each with a SAS token as password, checked exactly as the same token on `$cbs` or in a REST call:
 * - `<policy>@sas.root.<hub>`: a shared access policy token (ServiceConnect), e.g. for the Event Hubs redirect;
 * - `<deviceId>@sas.<hub>` (and `<deviceId>/modules/<moduleId>@sas.<hub>`): a device or module token, as the C SDK
 *   sends it; the connection then holds that identity's device links.
 * `<hub>` must be the first label of the hub's host name as the token names it. The token's policy must be the one
 * the username names. The DPS form `<idScope>/registrations/<registrationId>` (iothub-protocol-2.md §2.4) always
 * logs in: its token's verdict is kept and answered on the first request with `amqp:unauthorized-access`, as DPS over
 * MQTT accepts CONNECT and answers 401 (a failed SASL would reach the Node client as a bare NotConnectedError).
 * Anything else is refused (SASL outcome `auth`).
 */
export function verifyPlainCredentials(credentials: PlainCredentials, auth: PlainAuthenticators): PlainIdentity | undefined {
  const registration = parseDpsLinkAddress(credentials.username);
  if (registration) {
    if (!auth.provisioning) return undefined;
    return { kind: 'dps', address: registration, auth: auth.provisioning.authenticate(registration.idScope, registration.registrationId, credentials.password) };
  }
  const service = SERVICE_USER.exec(credentials.username);
  if (service?.[1] && service[2]) {
    const result = auth.service.authenticate(credentials.password, 'ServiceConnect', credentials.hostname);
    if (!result.ok || result.principal.policyName !== service[1]) return undefined;
    if (!namesHub(service[2], credentials.password)) return undefined;
    return { kind: 'service', policy: result.principal.policyName, expiresAtSeconds: result.principal.expiresAtSeconds };
  }
  const device = DEVICE_USER.exec(credentials.username);
  if (device?.[1] && device[3]) {
    const address: TwinAddress = device[2] === undefined ? { deviceId: device[1] } : { deviceId: device[1], moduleId: device[2] };
    if (!namesHub(device[3], credentials.password)) return undefined;
    const result = auth.device.authenticateToken(credentials.password, address, credentials.hostname);
    if (!result.ok) return undefined;
    return { kind: 'device', address, expiresAtSeconds: result.principal.expiresAtSeconds };
  }
  return undefined;
}

/** The username's hub name is the first label of the host the token's `sr` names (`localhost` for `localhost/…`). */
function namesHub(hubName: string, token: string): boolean {
  const parsed = parseSasToken(token);
  if (!parsed.ok) return false;
  const host = parsed.value.resource.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '').split('/')[0] ?? '';
  return host.split(/[.:]/)[0]?.toLowerCase() === hubName.toLowerCase();
}
