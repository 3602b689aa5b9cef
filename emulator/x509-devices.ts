import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomic } from './certs/cert-files.js';
import { issueDeviceCertificate, type IssuedCertificate } from './certs/device-certificates.js';
import { ensureDeviceCa, type DeviceCa } from './certs/device-pki.js';
import { deviceAlreadyExists, moduleAlreadyExists } from './errors/catalogue.js';
import type { DeviceAuthentication } from './model/device.js';
import type { CaCertificateService } from './services/ca-certificate-service.js';
import type { ModuleService } from './services/module-service.js';
import type { RegistryService } from './services/registry-service.js';
import type { Clock } from './util/clock.js';

/** Self-signed (the identity stores the certificate's thumbprint) or signed by the built-in device CA. */
export type X509Mode = 'selfSigned' | 'caSigned';

/** What {@link X509Devices.create} makes. */
export interface X509DeviceRequest {
  readonly deviceId: string;
  /** A module of the device instead of the device itself (CN `<deviceId>/<moduleId>` when CA-signed). */
  readonly moduleId?: string;
  readonly mode: X509Mode;
  /** Where the PEM files go; default `<dataDir>/certs/devices`. */
  readonly directory?: string;
  /** Certificate lifetime in days (default 365). */
  readonly validityDays?: number;
  /** Refuse (409) instead of switching an identity that already exists (the studio's register form). */
  readonly mustBeNew?: boolean;
}

/** A device (or module) ready to connect with X.509, and its files. */
export interface X509DeviceCredential {
  readonly deviceId: string;
  readonly moduleId?: string;
  readonly mode: X509Mode;
  /** The device certificate (PEM) and its private key (PEM, file mode 0o600). */
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** SHA-1 and SHA-256 thumbprints of the certificate. */
  readonly thumbprint: string;
  readonly thumbprint256: string;
  /** `HostName=…;DeviceId=…[;ModuleId=…];x509=true` (the port is in HostName when MQTT is not on 8883). */
  readonly connectionString: string;
  /** True when the identity was registered by this call (false: it existed and was updated). */
  readonly registered: boolean;
  /** CA-signed: the hub's name of the device CA certificate it chains to. */
  readonly caCertificateName?: string;
}

/** The name under which the built-in device CA is registered on the hub. */
export const DEVICE_CA_CERTIFICATE_NAME = 'twin-studio-device-ca';

/** Where the hub can be reached, for the connection strings. */
export interface X509Endpoint {
  readonly hostName: string;
  readonly mqttsPort: number;
  /** `<dataDir>/certs`: the device CA lives here, device files under `devices/`. */
  readonly certificateDir: string;
}

/**
 * The built-in test PKI at the front door (`emulator.x509`): makes X.509 devices so nobody needs openssl. A
 * self-signed device gets a fresh certificate and key, and its identity stores the SHA-1 thumbprint; a CA-signed
 * device gets a certificate from the built-in device CA (`certs/device-ca.pem`), which is registered on the hub and
 * verified by proof of possession through the same CA-certificate service the management plane uses, once. The
 * identity is created if missing, or switched to the new credential if it exists (its SAS keys are dropped).
 */
export class X509Devices {
  constructor(
    private readonly registry: RegistryService,
    private readonly modules: ModuleService,
    private readonly certificates: CaCertificateService,
    private readonly clock: Clock,
    private readonly endpoint: X509Endpoint,
  ) {}

  /** Issues the certificate, registers (or updates) the identity, writes `<id>.pem` and `<id>-key.pem`. */
  async create(request: X509DeviceRequest): Promise<X509DeviceCredential> {
    const { deviceId, moduleId, mode } = request;
    if (request.mustBeNew && moduleId === undefined && this.registry.find(deviceId)) throw deviceAlreadyExists(deviceId);
    if (request.mustBeNew && moduleId !== undefined && this.modules.find(deviceId, moduleId)) throw moduleAlreadyExists(deviceId, moduleId);
    const now = this.clock.now();
    const commonName = moduleId === undefined ? deviceId : `${deviceId}/${moduleId}`;
    const validity = { now, ...(request.validityDays === undefined ? {} : { days: request.validityDays }) };
    let issued: IssuedCertificate;
    let authentication: Pick<DeviceAuthentication, 'type'> & { x509Thumbprint?: { primaryThumbprint: string; secondaryThumbprint: null } };
    if (mode === 'caSigned') {
      const ca = await this.registeredDeviceCa();
      issued = await issueDeviceCertificate(commonName, validity, ca);
      authentication = { type: 'certificateAuthority' };
    } else {
      issued = await issueDeviceCertificate(commonName, validity);
      authentication = { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: issued.thumbprint, secondaryThumbprint: null } };
    }
    // Identity checks (ids, module of an existing device) run before any file is written.
    const registered = await this.register(deviceId, moduleId, authentication);
    const directory = request.directory ?? join(this.endpoint.certificateDir, 'devices');
    await mkdir(directory, { recursive: true });
    const base = join(directory, fileNameOf(commonName));
    const certPath = `${base}.pem`;
    const keyPath = `${base}-key.pem`;
    await writeFileAtomic(keyPath, issued.keyPem, 'private');
    await writeFileAtomic(certPath, issued.certPem, 'public');
    return {
      deviceId,
      ...(moduleId === undefined ? {} : { moduleId }),
      mode,
      certPath,
      keyPath,
      certPem: issued.certPem,
      keyPem: issued.keyPem,
      thumbprint: issued.thumbprint,
      thumbprint256: issued.thumbprint256,
      connectionString: this.connectionString(deviceId, moduleId),
      registered,
      ...(mode === 'caSigned' ? { caCertificateName: DEVICE_CA_CERTIFICATE_NAME } : {}),
    };
  }

  /**
   * The built-in device CA, created on first use and registered + verified on the hub (upload,
   * generateVerificationCode, a certificate with CN = the code signed by the CA, verify), unless it already is.
   */
  async registeredDeviceCa(): Promise<DeviceCa> {
    const ca = await ensureDeviceCa(this.endpoint.certificateDir, this.clock.now());
    const current = this.certificates.list().find((record) => record.name === DEVICE_CA_CERTIFICATE_NAME);
    if (current?.isVerified && current.thumbprint === ca.thumbprint) return ca;
    const { record } = await this.certificates.upload(DEVICE_CA_CERTIFICATE_NAME, { certificate: ca.certPem }, current ? '*' : undefined);
    if (record.isVerified) return ca;
    const challenge = await this.certificates.generateVerificationCode(DEVICE_CA_CERTIFICATE_NAME, record.etag);
    const proof = await issueDeviceCertificate(challenge.verificationCode ?? '', { now: this.clock.now(), days: 1 }, ca);
    await this.certificates.verify(DEVICE_CA_CERTIFICATE_NAME, challenge.etag, proof.certPem);
    return ca;
  }

  /** `HostName=<host>[:port];DeviceId=<id>[;ModuleId=<m>];x509=true`. */
  connectionString(deviceId: string, moduleId?: string): string {
    // The device SDKs ignore GatewayHostName for X.509; the hub accepts `HostName=<host>:<port>` (it compares host
    // names without the port), which the MQTT transport dials as is.
    const { hostName, mqttsPort } = this.endpoint;
    const host = mqttsPort === 8883 ? hostName : `${hostName}:${mqttsPort}`;
    return `HostName=${host};DeviceId=${deviceId}${moduleId === undefined ? '' : `;ModuleId=${moduleId}`};x509=true`;
  }

  private async register(deviceId: string, moduleId: string | undefined, authentication: Parameters<RegistryService['create']>[0]['authentication']): Promise<boolean> {
    if (moduleId === undefined) {
      if (this.registry.find(deviceId)) {
        await this.registry.update({ deviceId, authentication: { ...authentication } });
        return false;
      }
      await this.registry.create({ deviceId, authentication: { ...authentication } });
      return true;
    }
    if (!this.registry.find(deviceId)) await this.registry.create({ deviceId });
    if (this.modules.find(deviceId, moduleId)) {
      await this.modules.update({ deviceId, moduleId, authentication: { ...authentication } });
      return false;
    }
    await this.modules.create({ deviceId, moduleId, authentication: { ...authentication } });
    return true;
  }
}

/** A file name for an id: device ids may hold `*`, `?`, `:` and `/` (modules), which some file systems refuse. */
function fileNameOf(commonName: string): string {
  return commonName.replace(/[^A-Za-z0-9._-]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}
