import type { X509DeviceDto } from '../../../main/contract/index.js';
import { CopyButton } from '../../components/CopyButton.js';

/** A PEM as a download link (a data URL: works in Electron and in the browser, no object URL to revoke). */
function pemHref(pem: string): string {
  return `data:application/x-pem-file;charset=utf-8,${encodeURIComponent(pem)}`;
}

/** The file name of a device's PEM download (`<id>.pem`, `<id>-key.pem`), safe for every file system. */
function fileName(deviceId: string, suffix: string): string {
  return `${deviceId.replace(/[^A-Za-z0-9._-]/g, '_')}${suffix}.pem`;
}

/**
 * What the register form shows after an X.509 device is made by the hub's built-in test PKI: the certificate and
 * key to download (they are also kept in the data folder), the `x509=true` connection string, and how to use them.
 */
export function X509Issued({ issued, onDone }: { issued: X509DeviceDto; onDone: () => void }) {
  const { deviceId } = issued.device;
  const kind = issued.mode === 'caSigned' ? 'CA-signed (by the hub’s built-in device CA)' : `self-signed, thumbprint ${issued.thumbprint}`;
  return (
    <section className="register-form" aria-label="X.509 device files">
      <p>
        <strong>{deviceId}</strong> is registered with an X.509 certificate, {kind}.
      </p>
      <div className="row">
        <a className="button" href={pemHref(issued.certPem)} download={fileName(deviceId, '')}>
          Download certificate
        </a>
        <a className="button" href={pemHref(issued.keyPem)} download={fileName(deviceId, '-key')}>
          Download private key
        </a>
      </div>
      <dl className="facts">
        <dt>Connection string</dt>
        <dd>
          <code className="secret">{issued.connectionString}</code>
          <CopyButton text={issued.connectionString} what="X.509 connection string" />
        </dd>
        <dt>Also saved as</dt>
        <dd>
          <code className="secret">{issued.certPath}</code>
          <code className="secret">{issued.keyPath}</code>
        </dd>
      </dl>
      <p className="muted small">
        In the device SDK: <code>client.setOptions({'{ ca, cert, key }'})</code> with the hub’s CA and these two files, then <code>open()</code>.
      </p>
      <div className="row">
        <button type="button" className="button primary" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
