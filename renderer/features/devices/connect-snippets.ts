/**
 * Ready-to-run Node device samples for the Connect tab, one per device transport the hub serves. Pure: the same
 * text is run unchanged by test/sdk/connect-snippets.sdk.test.ts.
 */

/** The device transports the Connect tab offers; `amqp` is listed but not emulated yet. */
export type DeviceTransport = 'mqtt' | 'mqttWs' | 'http' | 'amqp';

export interface TransportChoice {
  readonly id: DeviceTransport;
  readonly label: string;
  /** Why it cannot be picked, when it cannot. */
  readonly disabledReason?: string;
}

export const TRANSPORTS: readonly TransportChoice[] = [
  { id: 'mqtt', label: 'MQTT' },
  { id: 'mqttWs', label: 'MQTT over WebSockets' },
  { id: 'http', label: 'HTTPS' },
  { id: 'amqp', label: 'AMQP', disabledReason: 'not emulated yet' },
];

export interface SnippetInput {
  /** The device's connection string as the hub gives it (may carry `GatewayHostName=host:port`). */
  readonly connectionString: string;
  readonly caCertPath: string;
}

/** The hub's ports as the status DTO has them. */
export interface HubPorts {
  readonly mqtts: number;
  readonly https: number | null;
}

const SDK_PACKAGES: Record<Exclude<DeviceTransport, 'amqp'>, { pkg: string; binding: string; symbol: string; install: string }> = {
  mqtt: { pkg: 'azure-iot-device-mqtt', binding: 'mqttTransport', symbol: 'Mqtt', install: 'azure-iot-device azure-iot-device-mqtt' },
  mqttWs: { pkg: 'azure-iot-device-mqtt', binding: 'mqttTransport', symbol: 'MqttWs', install: 'azure-iot-device azure-iot-device-mqtt' },
  http: { pkg: 'azure-iot-device-http', binding: 'httpTransport', symbol: 'Http', install: 'azure-iot-device azure-iot-device-http' },
};

/**
 * The connection string a transport should get. `MqttWs` builds `wss://<GatewayHostName or HostName>:443/…`, so a
 * `GatewayHostName=host:port` (added when MQTT is not on 8883) would give it a URL with two ports; `Http` ignores the
 * field. Both dial 443 on `HostName`, so the field is dropped for them.
 */
export function connectionStringFor(transport: Exclude<DeviceTransport, 'amqp'>, connectionString: string): string {
  return transport === 'mqtt' ? connectionString : connectionString.replace(/;GatewayHostName=[^;]*/i, '');
}

/**
 * A Node ES module that connects with `transport`, trusts the hub's CA through `setOptions({ ca })`, sends one
 * telemetry message and closes, so it exits 0 once the hub took the message.
 */
export function connectSnippet(transport: Exclude<DeviceTransport, 'amqp'>, input: SnippetInput): string {
  const sdk = SDK_PACKAGES[transport];
  const options =
    transport === 'http'
      ? [
          "// Http's setOptions replaces its options: give the CA and the http options in one call.",
          'await client.setOptions({ ca, http: { receivePolicy: { interval: 1 } } });',
        ]
      : ['await client.setOptions({ ca });'];
  const after =
    transport === 'http'
      ? ["// C2D: client.on('message', (msg) => client.complete(msg, () => {})) polls every second (interval above)."]
      : ["// Twins and direct methods: await client.getTwin(), client.onDeviceMethod('name', handler)."];
  return [
    `// npm install ${sdk.install}    then: node device.mjs`,
    "import fs from 'node:fs';",
    "import deviceSdk from 'azure-iot-device';",
    `import ${sdk.binding} from '${sdk.pkg}';`,
    '',
    `const connectionString = ${JSON.stringify(connectionStringFor(transport, input.connectionString))};`,
    `const ca = fs.readFileSync(${JSON.stringify(input.caCertPath)}, 'utf8');`,
    '',
    `const client = deviceSdk.Client.fromConnectionString(connectionString, ${sdk.binding}.${sdk.symbol});`,
    ...options,
    'await client.open();',
    "await client.sendEvent(new deviceSdk.Message(JSON.stringify({ temperature: 21.5 })));",
    "console.log('telemetry sent');",
    ...after,
    'await client.close();',
    '',
  ].join('\n');
}

export interface TransportNotes {
  /** Where the transport dials, e.g. `localhost:443 (MQTT over WebSockets)`. */
  readonly endpoint: string;
  readonly notes: readonly string[];
  /** Set when the hub is not where this transport can reach it. */
  readonly warning?: string;
}

/** Endpoint, notes and a warning for `transport` on a hub with `ports`. */
export function transportNotes(transport: Exclude<DeviceTransport, 'amqp'>, hostName: string, ports: HubPorts): TransportNotes {
  if (transport === 'mqtt') {
    return {
      endpoint: `${hostName}:${ports.mqtts} (MQTT 3.1.1 over TLS)`,
      notes: ports.mqtts === 8883 ? [] : [`MQTT is not on 8883, so the connection string carries GatewayHostName=${hostName}:${ports.mqtts}.`],
    };
  }
  const portWarning =
    ports.https === null
      ? 'The hub has no HTTPS port: turn HTTPS on in Settings (port 443) to use this transport.'
      : ports.https !== 443
        ? `The hub's HTTPS port is ${ports.https}, but ${transport === 'http' ? 'Http' : 'MqttWs'} dials port 443 only: set the HTTPS port to 443 in Settings.`
        : undefined;
  const dial = `${transport === 'http' ? 'Http' : 'MqttWs'} dials port 443 only (hub HTTPS port: ${ports.https ?? 'off'}).`;
  const notes =
    transport === 'http'
      ? [dial, 'Telemetry and cloud-to-device messages only: the SDK refuses twins and direct methods over HTTP (use MQTT for those).']
      : [dial];
  return {
    endpoint: `${hostName}:443 (${transport === 'http' ? 'HTTPS' : 'MQTT over WebSockets, /$iothub/websocket'})`,
    notes,
    ...(portWarning ? { warning: portWarning } : {}),
  };
}
