import { readFileSync } from 'node:fs';
import { Agent, type AgentOptions } from 'node:https';
import { createRequire } from 'node:module';
import { connect, type ConnectionOptions } from 'node:tls';

import provisioningDevice from 'azure-iot-provisioning-device';
import provisioningAmqp from 'azure-iot-provisioning-device-amqp';
import provisioningHttp from 'azure-iot-provisioning-device-http';
import provisioningMqtt from 'azure-iot-provisioning-device-mqtt';
import provisioningService from 'azure-iot-provisioning-service';
import symmetricKey from 'azure-iot-security-symmetric-key';
import x509Security from 'azure-iot-security-x509';

import type { HubEmulator } from '../../emulator/index.js';

// The unmodified provisioning SDKs aimed at a test hub on free ports. The DPS transports take no `ca` option and
// MQTT is the only one that takes a port (`provisioningHost = "localhost:<port>"`, iothub-protocol-2.md §2.1), so
// the tests hand the transports the base objects their constructors accept (the same classes, from each package's
// own dependency): an MQTT base with the hub's CA, an HTTP base with the CA and an agent whose sockets go to the
// hub's HTTPS port instead of 443. Everything above the socket is the SDK's own code.

const requireFrom = (pkg: string) => createRequire(createRequire(import.meta.url).resolve(pkg));

/** The DPS device transports the tests drive. */
export type DpsTransport = 'Mqtt' | 'MqttWs' | 'Http' | 'Amqp' | 'AmqpWs';

/** What `register()` resolves with (the SDK's `RegistrationResult`). */
export interface RegistrationResult {
  readonly registrationId: string;
  readonly assignedHub: string;
  readonly deviceId: string;
  readonly status: string;
  readonly substatus?: string;
  readonly symmetricKey?: { enrollmentGroupId?: string };
  readonly [key: string]: unknown;
}

/** An https agent whose TLS sockets dial `port` whatever port the request names (the SDKs dial 443). */
export class PortAgent extends Agent {
  constructor(
    private readonly port: number,
    options: AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: object): ReturnType<typeof connect> {
    return connect({ ...(options as ConnectionOptions), port: this.port });
  }
}

function caOf(hub: HubEmulator): string {
  return readFileSync(hub.info.caCertPath, 'utf8');
}

function httpsPort(hub: HubEmulator): number {
  const port = hub.info.ports.https;
  if (port === null) throw new Error('the test hub needs HTTPS for DPS over HTTPS and the DPS service API');
  return port;
}

/** A DPS device transport reaching the test hub. */
export function dpsTransport(hub: HubEmulator, kind: DpsTransport): { transport: unknown; provisioningHost: string } {
  const ca = caOf(hub);
  if (kind === 'Mqtt' || kind === 'MqttWs') {
    const { MqttBase } = requireFrom('azure-iot-provisioning-device-mqtt')('azure-iot-mqtt-base') as { MqttBase: new () => { setOptions(options: object): void } };
    const base = new MqttBase();
    if (kind === 'Mqtt') {
      base.setOptions({ ca });
      return { transport: new provisioningMqtt.Mqtt(base as never), provisioningHost: `localhost:${hub.info.ports.mqtts}` };
    }
    // MqttWs dials wss://<host>:443/$iothub/websocket; its agent option carries the socket to the HTTPS port.
    base.setOptions({ ca, mqtt: { webSocketAgent: new PortAgent(httpsPort(hub), { ca }) } });
    return { transport: new provisioningMqtt.MqttWs(base as never), provisioningHost: 'localhost' };
  }
  if (kind === 'Amqp' || kind === 'AmqpWs') return amqpTransport(hub, kind, ca);
  const { Http } = requireFrom('azure-iot-provisioning-device-http')('azure-iot-http-base') as { Http: new () => { setOptions(options: object): void } };
  const base = new Http();
  base.setOptions({ ca, http: { agent: new PortAgent(httpsPort(hub), { ca }) } });
  return { transport: new provisioningHttp.Http(base as never), provisioningHost: 'localhost' };
}

type AmqpConnect = (config: { sslOptions?: object }, done: (error?: Error) => void) => void;

/**
 * DPS over AMQP: the transport's own AMQP base (`azure-iot-amqp-base`, from its dependency) with the hub's CA added
 * to the TLS options it builds (the transport takes no `ca` option); `Amqp` dials `amqps://<provisioningHost>`, so
 * the port goes into the host; `AmqpWs` dials 443 and reaches the HTTPS port through `webSocketAgent`.
 */
function amqpTransport(hub: HubEmulator, kind: 'Amqp' | 'AmqpWs', ca: string): { transport: unknown; provisioningHost: string } {
  const { Amqp: AmqpBase } = requireFrom('azure-iot-provisioning-device-amqp')('azure-iot-amqp-base') as { Amqp: new (autoSettle: boolean) => { connect: AmqpConnect } };
  const base = new AmqpBase(true);
  const connect = base.connect.bind(base);
  base.connect = (config, done) => connect({ ...config, sslOptions: { ...config.sslOptions, ca } }, done);
  if (kind === 'Amqp') return { transport: new provisioningAmqp.Amqp(base as never), provisioningHost: `localhost:${hub.info.ports.amqps}` };
  const transport = new provisioningAmqp.AmqpWs(base as never);
  transport.setTransportOptions({ webSocketAgent: new PortAgent(httpsPort(hub), { ca }) } as never);
  return { transport, provisioningHost: 'localhost' };
}

/** Registers `registrationId` with its X.509 certificate (TLS client certificate) through the real ProvisioningDeviceClient. */
export async function registerWithCertificate(hub: HubEmulator, kind: DpsTransport, registrationId: string, credential: { certPem: string; keyPem: string }, options: { idScope?: string } = {}): Promise<RegistrationResult> {
  const { transport, provisioningHost } = dpsTransport(hub, kind);
  const security = new x509Security.X509Security(registrationId, { cert: credential.certPem, key: credential.keyPem });
  const client = provisioningDevice.ProvisioningDeviceClient.create(provisioningHost, options.idScope ?? hub.info.provisioning.idScope, transport as never, security as never);
  return (await client.register()) as unknown as RegistrationResult;
}

/**
 * The name of the error a registration failed with. Over MQTT and HTTPS the SDK maps a 401 to `UnauthorizedError`;
 * over AMQP it hands a refused request's AMQP error through untranslated (its `registrationRequest` passes the raw
 * rhea error for non-retryable conditions), so an `amqp:unauthorized-access` condition counts as `UnauthorizedError`.
 */
export function refusalName(error: unknown): string {
  const named = (error as { name?: unknown } | undefined)?.name;
  if (typeof named === 'string' && named !== '') return named;
  const condition = (error as { condition?: unknown; value?: { value?: unknown }[] } | undefined)?.condition ?? (error as { value?: { value?: unknown }[] } | undefined)?.value?.[0]?.value;
  return condition === 'amqp:unauthorized-access' ? 'UnauthorizedError' : `unknown error: ${String(condition ?? error)}`;
}

/** How a registration ended: 'registered', or the refusal's name ({@link refusalName}). */
export async function refusal(attempt: Promise<RegistrationResult>): Promise<string> {
  try {
    await attempt;
    return 'registered';
  } catch (error) {
    return refusalName(error);
  }
}

/** Registers `registrationId` with a symmetric key through the real ProvisioningDeviceClient. */
export async function registerWithKey(hub: HubEmulator, kind: DpsTransport, registrationId: string, key: string, options: { idScope?: string; payload?: object } = {}): Promise<RegistrationResult> {
  const { transport, provisioningHost } = dpsTransport(hub, kind);
  const security = new symmetricKey.SymmetricKeySecurityClient(registrationId, key);
  const client = provisioningDevice.ProvisioningDeviceClient.create(provisioningHost, options.idScope ?? hub.info.provisioning.idScope, transport as never, security as never);
  if (options.payload) client.setProvisioningPayload(options.payload);
  return (await client.register()) as unknown as RegistrationResult;
}

/** The real ProvisioningServiceClient for the hub's DPS connection string, its requests sent to the HTTPS port. */
export function provisioningServiceClient(hub: HubEmulator, connectionString = hub.info.provisioning.serviceConnectionString): InstanceType<typeof provisioningService.ProvisioningServiceClient> {
  const common = requireFrom('azure-iot-provisioning-service')('azure-iot-common') as {
    ConnectionString: { parse(text: string): Record<string, string> };
    SharedAccessSignature: { create(host: string, policy: string, key: string, expiry: number): { toString(): string } };
    anHourFromNow(): number;
  };
  const { RestApiClient, Http } = requireFrom('azure-iot-provisioning-service')('azure-iot-http-base') as {
    RestApiClient: new (config: object, userAgent: string, http: unknown) => unknown;
    Http: new () => { setOptions(options: object): void };
  };
  const parts = common.ConnectionString.parse(connectionString);
  const host = parts.HostName ?? '';
  const config = { host, sharedAccessSignature: common.SharedAccessSignature.create(host, parts.SharedAccessKeyName ?? '', parts.SharedAccessKey ?? '', common.anHourFromNow()).toString() };
  const ca = caOf(hub);
  const http = new Http();
  http.setOptions({ ca, http: { agent: new PortAgent(httpsPort(hub), { ca }) } });
  return new provisioningService.ProvisioningServiceClient(config as never, new RestApiClient(config, 'twin-studio-tests', http) as never);
}
