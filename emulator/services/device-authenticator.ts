import { parseMqttUsername } from '../auth/mqtt-username.js';
import { presentedCertificate } from '../auth/x509-credential.js';
import { isSasTokenExpired, matchesResource, parseSasToken, verifySasSignature, type SasToken } from '../auth/sas-token.js';
import type { HubState } from '../model/hub-state.js';
import type { TwinAddress } from '../model/twin-address.js';
import { moduleOf, policyOf } from '../state/state-lookups.js';
import type { Clock } from '../util/clock.js';
import type { RegistryService } from './registry-service.js';
import { describeAddress, x509Problem } from './x509-identity-check.js';

/** An authenticated device (or module) connection. */
export interface DevicePrincipal {
  readonly deviceId: string;
  readonly moduleId?: string;
  /** Host name the device used (username and `sr`), kept for the replies that mention it. */
  readonly hostName: string;
  /**
   * Token expiry in seconds since the epoch; the live connection is cut after it (§2.3 step 4). X.509 connections
   * have no token: {@link NO_TOKEN_EXPIRY}.
   */
  readonly expiresAtSeconds: number;
  /** How the identity proved itself: a SAS token, or an X.509 client certificate (iothub-protocol-2.md §1). */
  readonly credential?: 'sas' | 'x509';
  readonly modelId?: string;
}

/** `expiresAtSeconds` of an X.509 connection: never cut for expiry while connected (the hub checks at connect). */
export const NO_TOKEN_EXPIRY = Number.MAX_SAFE_INTEGER;

/** What a TLS handshake presented: the client certificate chain as DER, leaf first (empty: no certificate). */
export type ClientCertificateChain = readonly Buffer[];

/**
 * CONNACK return codes the hub uses (iothub-protocol.md §3.2): 5 for anything about credentials, 3 for a
 * disabled device (C SDK maps 3 to DEVICE_DISABLED).
 */
export type ConnectRefusal = { readonly returnCode: 3 | 5; readonly reason: string };

/** Result of authenticating a CONNECT; never throws (house-style H8). */
export type DeviceAuthResult = { ok: true; principal: DevicePrincipal } | ({ ok: false } & ConnectRefusal);

/**
 * Verifies an MQTT CONNECT (ClientId, username, SAS password) against the registry and the shared access
 * policies: iothub-protocol.md §2.3 "Emulator verification procedure" and checklist items 2-11.
 */
export class DeviceAuthenticator {
  constructor(
    private readonly state: HubState,
    private readonly registry: RegistryService,
    private readonly clock: Clock,
    /** The hub's host names (config `hostName` and `extraHostNames`): the username must name one of them. */
    private readonly hostNames: readonly string[],
  ) {}

  authenticate(clientId: string, username: string | undefined, password: string | undefined, certificate: ClientCertificateChain = []): DeviceAuthResult {
    const parsed = parseMqttUsername(username ?? '', clientId);
    if (!parsed.ok) return refuse(5, `bad username: ${parsed.error}`);
    const { hostName, deviceId, moduleId, modelId } = parsed.value;
    // Checklist 2: the username's host must be this hub, as REST requires of a token's audience; a token made for
    // `otherhub.azure-devices.net` must not connect here (its `sr` would carry that host too).
    if (!this.namesThisHub(hostName)) return refuse(5, `the MQTT username names host '${hostName}', not this hub`);
    const address = { deviceId, ...(moduleId === undefined ? {} : { moduleId }) };
    // No password: the device authenticates with the certificate of its TLS handshake (iothub-protocol-2.md §1.5).
    const result = password === undefined || password === '' ? this.verifyX509(hostName, address, certificate) : this.verify(hostName, address, password);
    return result.ok && modelId !== undefined ? { ok: true, principal: { ...result.principal, modelId } } : result;
  }

  /**
   * Verifies a device SAS token that arrives outside an MQTT CONNECT — the `Authorization` header of a device HTTPS
   * request (iothub-protocol-2.md §4.1, for the identity its path names) or an AMQP CBS put-token (§3.2, for the
   * identity its audience names) — with the same checks as an MQTT CONNECT: the token's `sr` must name this hub (a configured host name
   * or the request's `Host`) and exactly this identity, or be a hub-level policy token with DeviceConnect
   * (iothub-protocol.md §2.3 step 5: "DeviceConnect for device endpoints"); then key, expiry, disabled. Without a
   * token, the client certificate chain of the TLS handshake (`certificate`, DER, leaf first) is checked instead.
   */
  authenticateToken(authorization: string | undefined, address: TwinAddress, requestHost?: string, certificate: ClientCertificateChain = []): DeviceAuthResult {
    if (authorization === undefined || authorization === '') {
      // X.509 over HTTPS sends no Authorization header, only the client certificate (iothub-protocol-2.md §1.5).
      return this.verifyX509(stripPort(requestHost ?? this.hostNames[0] ?? ''), address, certificate);
    }
    const token = parseSasToken(authorization);
    if (!token.ok) return refuse(5, `bad SAS token: ${token.error}`);
    const hostName = token.value.resource.split('/')[0] ?? '';
    const named = this.namesThisHub(hostName) || (requestHost !== undefined && stripPort(requestHost) === stripPort(hostName));
    if (!named) return refuse(5, `the token audience '${token.value.resource}' is not this hub`);
    return this.verify(hostName, address, authorization);
  }

  /**
   * X.509 authentication of an identity by the certificate chain its TLS handshake presented (DER, leaf first), for
   * transports that name the identity elsewhere (AMQP link addresses without CBS, iothub-protocol-2.md §1.5).
   */
  authenticateCertificate(address: TwinAddress, certificate: ClientCertificateChain, hostName = this.hostNames[0] ?? ''): DeviceAuthResult {
    return this.verifyX509(stripPort(hostName), address, certificate);
  }

  /** Identity, key, expiry and status checks shared by MQTT and HTTPS. */
  private verify(hostName: string, address: TwinAddress, password: string | undefined): DeviceAuthResult {
    const { deviceId, moduleId } = address;
    const device = this.registry.find(deviceId);
    if (!device) return refuse(5, `device '${deviceId}' is not registered`);
    const module = moduleId === undefined ? undefined : moduleOf(this.state, deviceId, moduleId);
    if (moduleId !== undefined && !module) return refuse(5, `module '${deviceId}/${moduleId}' is not registered`);
    if (password === undefined || password === '') return refuse(5, 'no SAS token and no client certificate');
    const token = parseSasToken(password);
    if (!token.ok) return refuse(5, `bad SAS token: ${token.error}`);
    const identity = module ?? device;
    if (identity.authentication.type !== 'sas' && token.value.skn === undefined) {
      // An X.509 identity has no keys of its own (they are stored empty): only a policy token may stand in for it.
      return refuse(5, `'${describeAddress(address)}' authenticates with X.509 (${identity.authentication.type}), not with its own SAS keys`);
    }
    // A module signs with its own key over `<host>/devices/<d>/modules/<m>` (iothub-protocol.md §3.6).
    const resource = moduleId === undefined ? `${hostName}/devices/${deviceId}` : `${hostName}/devices/${deviceId}/modules/${moduleId}`;
    const keys = (module ?? device).authentication.symmetricKey;
    const keyCheck = this.checkKeys(token.value, resource, keys);
    if (keyCheck) return refuse(5, keyCheck);
    if (isSasTokenExpired(token.value, Math.floor(this.clock.now().getTime() / 1000))) {
      return refuse(5, 'the SAS token has expired');
    }
    // Credentials first, status second: a stranger must not learn that a device exists but is disabled.
    if (device.status === 'disabled') return refuse(3, `device '${deviceId}' is disabled`);
    const principal: DevicePrincipal =
      moduleId === undefined ? { deviceId, hostName, expiresAtSeconds: token.value.se, credential: 'sas' } : { deviceId, moduleId, hostName, expiresAtSeconds: token.value.se, credential: 'sas' };
    return { ok: true, principal };
  }

  /**
   * X.509 authentication (iothub-protocol-2.md §1.1-1.4): the identity must exist and use `selfSigned` (either
   * thumbprint of the leaf equals its primary or secondary thumbprint) or `certificateAuthority` (the chain ends in
   * a registered, verified CA and the leaf's CN is the device id, or `<deviceId>/<moduleId>` for a module); the leaf
   * must be inside its validity period. Every refusal is CONNACK 5 / 401 except a disabled device (3), and names
   * its reason for the hub log.
   */
  private verifyX509(hostName: string, address: TwinAddress, chain: ClientCertificateChain): DeviceAuthResult {
    const { deviceId, moduleId } = address;
    const device = this.registry.find(deviceId);
    if (!device) return refuse(5, `device '${deviceId}' is not registered`);
    const module = moduleId === undefined ? undefined : moduleOf(this.state, deviceId, moduleId);
    if (moduleId !== undefined && !module) return refuse(5, `module '${deviceId}/${moduleId}' is not registered`);
    if (chain.length === 0) return refuse(5, 'no SAS token and no client certificate');
    const presented = presentedCertificate(chain);
    if (!presented) return refuse(5, 'the client certificate cannot be parsed');
    const problem = x509Problem(this.state, (module ?? device).authentication, address, presented, this.clock.now());
    if (problem) return refuse(5, problem);
    if (device.status === 'disabled') return refuse(3, `device '${deviceId}' is disabled`);
    const base = { deviceId, hostName, expiresAtSeconds: NO_TOKEN_EXPIRY, credential: 'x509' as const };
    return { ok: true, principal: moduleId === undefined ? base : { ...base, moduleId } };
  }

  private namesThisHub(hostName: string): boolean {
    const wanted = stripPort(hostName);
    return this.hostNames.some((name) => stripPort(name) === wanted);
  }

  /** Returns why the token does not grant this identity, or undefined when it does. */
  private checkKeys(token: SasToken, expected: string, keys: { primaryKey: string; secondaryKey: string }): string | undefined {
    if (token.skn !== undefined) {
      // A hub-level policy token (`sr=<host>`, skn=iothubowner|device) may connect any device (§2.3 step 5).
      const policy = policyOf(this.state, token.skn);
      if (!policy) return `unknown policy '${token.skn}'`;
      if (!policy.rights.includes('DeviceConnect')) return `policy '${token.skn}' lacks DeviceConnect`;
      if (!matchesResource(token.resource, expected)) return 'the token resource does not cover this device';
      return verifySasSignature(token, [policy.primaryKey, policy.secondaryKey]) ? undefined : 'signature mismatch';
    }
    if (!matchesResource(token.resource, expected) || !matchesResource(expected, token.resource)) {
      return `the token resource '${token.resource}' is not '${expected}'`;
    }
    return verifySasSignature(token, [keys.primaryKey, keys.secondaryKey]) ? undefined : 'signature mismatch';
  }
}

/** Lower case, without a `:port` (`[::1]:8883` → `[::1]`). */
function stripPort(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.lastIndexOf(':');
  return colon > 0 && lower.indexOf(':') === colon ? lower.slice(0, colon) : lower;
}

function refuse(returnCode: 3 | 5, reason: string): DeviceAuthResult {
  return { ok: false, returnCode, reason };
}
