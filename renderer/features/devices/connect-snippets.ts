/**
 * Ready-to-run Node device samples for the Connect tab, one per device transport the hub serves. Pure: the same
 * text is run unchanged by test/sdk/connect-snippets.sdk.test.ts.
 */

/** The device transports the Connect tab offers (every one the Node device SDK has). */
export type DeviceTransport = 'mqtt' | 'mqttWs' | 'amqp' | 'amqpWs' | 'http';

export interface TransportChoice {
  readonly id: DeviceTransport;
  readonly label: string;
}

export const TRANSPORTS: readonly TransportChoice[] = [
  { id: 'mqtt', label: 'MQTT' },
  { id: 'mqttWs', label: 'MQTT over WebSockets' },
  { id: 'amqp', label: 'AMQP' },
  { id: 'amqpWs', label: 'AMQP over WebSockets' },
  { id: 'http', label: 'HTTPS' },
];

export interface SnippetInput {
  /** The device's connection string as the hub gives it (may carry `GatewayHostName=host:port`). */
  readonly connectionString: string;
  readonly caCertPath: string;
  /** The hub's AMQP port, when known (the AMQP sample names it when it is not 5671). */
  readonly amqps?: number | null;
}

/** The hub's ports as the status DTO has them. */
export interface HubPorts {
  readonly mqtts: number;
  readonly https: number | null;
  readonly amqps: number | null;
}

const SDK_PACKAGES: Record<DeviceTransport, { pkg: string; binding: string; symbol: string; install: string }> = {
  mqtt: { pkg: 'azure-iot-device-mqtt', binding: 'mqttTransport', symbol: 'Mqtt', install: 'azure-iot-device azure-iot-device-mqtt' },
  mqttWs: { pkg: 'azure-iot-device-mqtt', binding: 'mqttTransport', symbol: 'MqttWs', install: 'azure-iot-device azure-iot-device-mqtt' },
  amqp: { pkg: 'azure-iot-device-amqp', binding: 'amqpTransport', symbol: 'Amqp', install: 'azure-iot-device azure-iot-device-amqp' },
  amqpWs: { pkg: 'azure-iot-device-amqp', binding: 'amqpTransport', symbol: 'AmqpWs', install: 'azure-iot-device azure-iot-device-amqp' },
  http: { pkg: 'azure-iot-device-http', binding: 'httpTransport', symbol: 'Http', install: 'azure-iot-device azure-iot-device-http' },
};

/**
 * The connection string a transport should get. The hub's string carries `GatewayHostName=host:<MQTT port>` when MQTT
 * is not on 8883, which only `Mqtt` may see: `Amqp` dials `amqps://<GatewayHostName or HostName>` (port 5671 unless the
 * name carries one), so it gets `GatewayHostName=host:<AMQP port>` when AMQP is not on 5671; `MqttWs` and `AmqpWs` build
 * `wss://<GatewayHostName or HostName>:443/…` and `Http` dials 443 on `HostName`, so they get no GatewayHostName.
 */
export function connectionStringFor(transport: DeviceTransport, connectionString: string, ports?: Pick<HubPorts, 'amqps'>): string {
  if (transport === 'mqtt') return connectionString;
  const plain = connectionString.replace(/;GatewayHostName=[^;]*/i, '');
  if (transport !== 'amqp' || ports?.amqps === undefined || ports.amqps === null || ports.amqps === 5671) return plain;
  const host = /(?:^|;)HostName=([^;]*)/i.exec(plain)?.[1] ?? 'localhost';
  return `${plain};GatewayHostName=${host}:${ports.amqps}`;
}

/**
 * A Node ES module that connects with `transport`, trusts the hub's CA through `setOptions({ ca })`, sends one
 * telemetry message and closes, so it exits 0 once the hub took the message.
 */
export function connectSnippet(transport: DeviceTransport, input: SnippetInput): string {
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
    `const connectionString = ${JSON.stringify(connectionStringFor(transport, input.connectionString, { amqps: input.amqps ?? null }))};`,
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
export function transportNotes(transport: DeviceTransport, hostName: string, ports: HubPorts): TransportNotes {
  if (transport === 'mqtt') {
    return {
      endpoint: `${hostName}:${ports.mqtts} (MQTT 3.1.1 over TLS)`,
      notes: ports.mqtts === 8883 ? [] : [`MQTT is not on 8883, so the connection string carries GatewayHostName=${hostName}:${ports.mqtts}.`],
    };
  }
  if (transport === 'amqp') {
    if (ports.amqps === null) return { endpoint: `${hostName} (AMQP 1.0 over TLS)`, notes: [], warning: 'The hub has no AMQP port: start it with an AMQP port (default 5671) to use this transport.' };
    return {
      endpoint: `${hostName}:${ports.amqps} (AMQP 1.0 over TLS)`,
      notes: ports.amqps === 5671 ? [] : [`AMQP is not on 5671, so the sample's connection string carries GatewayHostName=${hostName}:${ports.amqps}.`],
    };
  }
  const sdkName = { mqttWs: 'MqttWs', amqpWs: 'AmqpWs', http: 'Http' }[transport];
  const portWarning =
    ports.https === null
      ? 'The hub has no HTTPS port: turn HTTPS on in Settings (port 443) to use this transport.'
      : ports.https !== 443
        ? `The hub's HTTPS port is ${ports.https}, but ${sdkName} dials port 443 only: set the HTTPS port to 443 in Settings.`
        : undefined;
  const dial = `${sdkName} dials port 443 only (hub HTTPS port: ${ports.https ?? 'off'}).`;
  const notes =
    transport === 'http'
      ? [dial, 'Telemetry and cloud-to-device messages only: the SDK refuses twins and direct methods over HTTP (use MQTT or AMQP for those).']
      : [dial];
  const what = { mqttWs: 'MQTT over WebSockets, /$iothub/websocket', amqpWs: 'AMQP over WebSockets, /$iothub/websocket', http: 'HTTPS' }[transport];
  return {
    endpoint: `${hostName}:443 (${what})`,
    notes,
    ...(portWarning ? { warning: portWarning } : {}),
  };
}
