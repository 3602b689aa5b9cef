import type { DeviceDetails } from '../../../main/contract/index.js';
import { CopyButton } from '../../components/CopyButton.js';

/** How to connect this device: connection string, CA file, a minimal Node sample. */
export function ConnectPanel({ device }: { device: DeviceDetails }) {
  const sample = [
    "const { Client } = require('azure-iot-device');",
    "const { Mqtt } = require('azure-iot-device-mqtt');",
    "const fs = require('fs');",
    '',
    `const client = Client.fromConnectionString(process.env.DEVICE_CONNECTION_STRING, Mqtt);`,
    `await client.setOptions({ ca: fs.readFileSync(${JSON.stringify(device.caCertPath)}, 'utf8') });`,
    'await client.open();',
    'const twin = await client.getTwin();',
    "twin.on('properties.desired', (patch) => console.log('desired', patch));",
  ].join('\n');
  return (
    <div className="connect-panel">
      <dl className="facts">
        <dt>Connection string</dt>
        <dd>
          {device.connectionString ? (
            <>
              <code className="secret" data-testid="connection-string">{device.connectionString}</code>
              <CopyButton text={device.connectionString} what="connection string" />
            </>
          ) : (
            <span className="muted">This device authenticates with X.509; it has no connection string.</span>
          )}
        </dd>
        <dt>CA certificate</dt>
        <dd>
          <code data-testid="ca-path">{device.caCertPath}</code>
          <CopyButton text={device.caCertPath} what="CA certificate path" />
        </dd>
        <dt>MQTT endpoint</dt>
        <dd>
          <code>{`${device.hostName}:${device.mqttsPort}`}</code> (MQTT 3.1.1 over TLS)
        </dd>
        <dt>Generation id / etag</dt>
        <dd>
          <code>{device.generationId}</code> / <code>{device.deviceEtag}</code>
        </dd>
      </dl>
      <p className="muted">
        Devices must trust the hub&apos;s CA certificate. With the Node SDK pass it to <code>setOptions</code>, or set
        <code> NODE_EXTRA_CA_CERTS</code> to the file. When MQTT is not on port 8883 the connection string carries a
        <code> GatewayHostName</code> with the port.
      </p>
      <h4>Node.js device sample</h4>
      <pre className="json-block">{sample}</pre>
      <CopyButton text={sample} what="sample code" label="Copy sample" />
    </div>
  );
}
