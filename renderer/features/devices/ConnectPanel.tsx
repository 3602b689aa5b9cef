import { useState } from 'react';

import type { DeviceDetails } from '../../../main/contract/index.js';
import { CopyButton } from '../../components/CopyButton.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { connectSnippet, TRANSPORTS, transportNotes, type DeviceTransport } from './connect-snippets.js';


/** How to connect this device: connection string, CA file, and a ready-to-run Node sample per transport. */
export function ConnectPanel({ device }: { device: DeviceDetails }) {
  const status = useStore(useStudio().status);
  const [transport, setTransport] = useState<DeviceTransport>('mqtt');
  const ports = { mqtts: device.mqttsPort, https: status?.info?.ports.https ?? null, amqps: status?.info?.ports.amqps ?? null };
  const facts = transportNotes(transport, device.hostName, ports);
  const sample = device.connectionString ? connectSnippet(transport, { connectionString: device.connectionString, caCertPath: device.caCertPath, amqps: ports.amqps }) : '';
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
            <span className="muted">
              This device authenticates with X.509: <code>{`HostName=${device.mqttsPort === 8883 ? device.hostName : `${device.hostName}:${device.mqttsPort}`};DeviceId=${device.deviceId};x509=true`}</code>{' '}
              with its certificate and key in <code>client.setOptions({'{ ca, cert, key }'})</code> (files made by the studio are in the data folder, <code>certs/devices/</code>).
            </span>
          )}
        </dd>
        <dt>CA certificate</dt>
        <dd>
          <code data-testid="ca-path">{device.caCertPath}</code>
          <CopyButton text={device.caCertPath} what="CA certificate path" />
        </dd>
        <dt>Generation id / etag</dt>
        <dd>
          <code>{device.generationId}</code> / <code>{device.deviceEtag}</code>
        </dd>
      </dl>
      <fieldset className="transport-choice">
        <legend>Transport</legend>
        {TRANSPORTS.map((choice) => (
          <label key={choice.id}>
            <input type="radio" name="device-transport" value={choice.id} checked={transport === choice.id} onChange={() => setTransport(choice.id)} />
            {choice.label}
          </label>
        ))}
      </fieldset>
      <p>
        Endpoint: <code data-testid="transport-endpoint">{facts.endpoint}</code>
      </p>
      {facts.notes.map((note) => (
        <p key={note} className="muted small">{note}</p>
      ))}
      {facts.warning ? <p className="field-error" role="alert">{facts.warning}</p> : null}
      <p className="muted">
        Devices must trust the hub&apos;s CA certificate. With the Node SDK pass it to <code>setOptions</code> (as below), or
        set <code>NODE_EXTRA_CA_CERTS</code> to the file before node starts.
      </p>
      <h4>Node.js device sample</h4>
      {sample ? (
        <>
          <pre className="json-block" data-testid="connect-snippet">{sample}</pre>
          <CopyButton text={sample} what="sample code" label="Copy sample" />
        </>
      ) : (
        <p className="muted">X.509 devices pass their certificate and key to <code>setOptions</code> as well; no sample is generated for them.</p>
      )}
    </div>
  );
}
