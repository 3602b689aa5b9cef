import type { AuthenticateError, Client } from 'aedes';

import { parseMqttUsername } from '../../auth/mqtt-username.js';
import type { ConnectRefusal, DevicePrincipal } from '../../services/device-authenticator.js';
import { presentedChain } from '../peer-certificate.js';
import type { GatewayCore } from './gateway-core.js';
import { mqttContext } from './mqtt-context.js';
import { runSteps, stop, type Step } from './steps.js';
import { hasWildcard } from './topics.js';
import { webSocketFlag } from './transport-of.js';

// CONNECT (aedes' `authenticate` hook): read the username, verify the SAS token or, without a password, the X.509
// client certificate of the TLS handshake (iothub-protocol-2.md §1), remember who connected. A refusal sets CONNACK 5
// (credentials) or 3 (disabled device), iothub-protocol.md §3.2. What happens once the CONNACK is
// out (connection tracking, model id, …) is READY_STEPS in connection-steps.ts.

/** One CONNECT on its way through {@link AUTHENTICATE_STEPS}. */
export interface ConnectExchange {
  readonly core: GatewayCore;
  readonly client: Client;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Set by `verifySas`. */
  principal?: DevicePrincipal;
}

/** A CONNECT step; stopping refuses the connection with a CONNACK return code. */
export type ConnectStep = Step<ConnectExchange, ConnectRefusal>;

/**
 * The username must be `<host>/<clientId>[/?params]` (§3.1). The authenticator reads it again until it takes the
 * parsed username; this step refuses a malformed one before any registry lookup.
 */
const readUsername: ConnectStep = ({ client, username }) => {
  const parsed = parseMqttUsername(username ?? '', client.id);
  return parsed.ok ? undefined : stop({ returnCode: 5, reason: `bad username: ${parsed.error}` });
};

/** Topic levels are built from the ids: `+` or `#` in a ClientId would act as a wildcard (issue 11). */
const refuseWildcardIds: ConnectStep = ({ client }) =>
  hasWildcard(client.id) ? stop({ returnCode: 5, reason: 'the ClientId contains an MQTT wildcard (+ or #)' }) : undefined;

/**
 * The SAS token, the identity's keys or a DeviceConnect policy, expiry, then the device status (§2.3); without a
 * password, the client certificate against the identity's thumbprints or registered CAs (iothub-protocol-2.md §1).
 */
const verifyCredential: ConnectStep = (exchange) => {
  const { core, client, username, password } = exchange;
  const certificate = password === undefined || password === '' ? presentedChain(core.sockets.get(client)) : [];
  const result = core.deps.authenticator.authenticate(client.id, username, password, certificate);
  if (!result.ok) return stop({ returnCode: result.returnCode, reason: result.reason });
  exchange.principal = result.principal;
  return undefined;
};

/** Keeps the principal for SUBSCRIBE authorization and for the connection once CONNACK is out. */
const rememberPrincipal: ConnectStep = ({ core, client, principal }) => {
  if (!principal) return stop({ returnCode: 5, reason: 'no principal' });
  core.principals.set(client, principal);
  return undefined;
};

/** The CONNECT flow, in order. */
export const AUTHENTICATE_STEPS: readonly ConnectStep[] = [readUsername, refuseWildcardIds, verifyCredential, rememberPrincipal];

/** aedes' `authenticate`; a refusal carries its CONNACK return code. */
export function authenticate(
  core: GatewayCore,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
  done: (error: AuthenticateError | null, success: boolean | null) => void,
): void {
  const exchange: ConnectExchange = { core, client, username, password: password?.toString('utf8') };
  const stopped = runSteps(AUTHENTICATE_STEPS, exchange);
  if (stopped) return refuseConnect(core, client, done, stopped.value, stopped.by);
  const gate = core.deps.gate;
  if (gate === undefined || !gate.active || exchange.principal === undefined) {
    done(null, true);
    return;
  }
  // A new device connection passes the request gate (new-connection throttle, faults). A refusal is CONNACK 3
  // "Server unavailable", which the device SDKs treat as transient and retry.
  const { deviceId, moduleId } = exchange.principal;
  const address = moduleId === undefined ? { deviceId } : { deviceId, moduleId };
  gate.admit(mqttContext(core.deps.clock, { clientId: client.id, address }, 'device.connect')).then(
    () => done(null, true),
    (error: unknown) => refuseConnect(core, client, done, { returnCode: 3, reason: (error as Error).message }, 'request gate'),
  );
}

function refuseConnect(
  core: GatewayCore,
  client: Client,
  done: (error: AuthenticateError | null, success: boolean | null) => void,
  refusal: ConnectRefusal,
  by: string,
): void {
  const { returnCode, reason } = refusal;
  core.deps.logger.info(`CONNECT refused (${returnCode}, ${by}): ${reason}`, client.id);
  core.deps.tap.record({
    deviceId: client.id,
    direction: 'in',
    protocol: 'mqtt',
    ...webSocketFlag(client),
    kind: 'connect',
    topic: 'CONNECT',
    status: returnCode,
    payload: `refused: ${reason}`,
  });
  done(Object.assign(new Error(reason), { returnCode }) as AuthenticateError, false);
}
