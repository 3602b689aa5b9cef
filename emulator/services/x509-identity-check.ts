import type { X509Certificate } from 'node:crypto';

import {
  chainToAnchor,
  commonNameOfCertificate,
  matchesThumbprint,
  parseCertificateText,
  thumbprintsOf,
  validityProblem,
  type PresentedCertificate,
  type TrustAnchor,
} from '../auth/x509-credential.js';
import type { CaCertificateRecord } from '../model/ca-certificate.js';
import type { DeviceAuthentication } from '../model/device.js';
import type { HubState } from '../model/hub-state.js';
import type { TwinAddress } from '../model/twin-address.js';

/**
 * Why a presented certificate does not authenticate an identity, or undefined when it does (iothub-protocol-2.md
 * §1.1-1.4): `selfSigned` needs the leaf inside its validity period with its SHA-1 or SHA-256 thumbprint equal to the
 * primary or secondary one; `certificateAuthority` needs a chain to a registered, verified CA (committed records of
 * `state`) and the leaf's CN equal to `<deviceId>` or `<deviceId>/<moduleId>`; other types never take a certificate.
 * The reasons are for the hub log and the traffic view, never sent to the device.
 */
export function x509Problem(state: HubState, authentication: DeviceAuthentication, address: TwinAddress, presented: PresentedCertificate, now: Date): string | undefined {
  const { type, x509Thumbprint } = authentication;
  const name = describeAddress(address);
  if (type === 'selfSigned') {
    const expired = validityProblem(presented.leaf, now);
    if (expired) return expired;
    const prints = thumbprintsOf(presented.leafDer);
    const stored = [x509Thumbprint.primaryThumbprint, x509Thumbprint.secondaryThumbprint];
    if (matchesThumbprint(prints, stored)) return undefined;
    // The wording of the hub's 401003 diagnostics (troubleshoot-error-codes).
    return (
      `thumbprint mismatch: Thumbprint doesn't match configuration: Thumbprint: SHA1Hash=${prints.sha1}, SHA2Hash=${prints.sha256}; ` +
      `Configuration: PrimaryThumbprint=${stored[0] ?? ''}, SecondaryThumbprint=${stored[1] ?? ''}`
    );
  }
  if (type === 'certificateAuthority') {
    const chain = chainToAnchor(presented, trustAnchorsOf(state), now);
    if (!chain.ok) return chain.reason;
    const commonName = commonNameOfCertificate(presented.leaf);
    if (commonName !== name) return `wrong CN: the client certificate's subject CN is '${commonName ?? '(none)'}', expected '${name}'`;
    return undefined;
  }
  return `'${name}' authenticates with ${type === 'sas' ? 'SAS keys' : 'no credential of its own'} (authentication type '${type}'), not with an X.509 certificate`;
}

/** `d1` or `d1/m1`: also the CN a CA-signed identity's certificate must carry. */
export function describeAddress(address: TwinAddress): string {
  return address.moduleId === undefined ? address.deviceId : `${address.deviceId}/${address.moduleId}`;
}

/** The registered CA certificates, parsed once per record (records are replaced on change, never mutated). */
function trustAnchorsOf(state: HubState): TrustAnchor[] {
  const anchors: TrustAnchor[] = [];
  for (const record of Object.values(state.caCertificates)) {
    const anchor = caCertificateAnchor(record);
    if (anchor) anchors.push(anchor);
  }
  return anchors;
}

/** A registered CA certificate as a trust anchor (undefined when its PEM cannot be parsed). */
export function caCertificateAnchor(record: CaCertificateRecord): TrustAnchor | undefined {
  const certificate = parsedCa(record);
  return certificate ? { name: record.name, certificate, verified: record.isVerified } : undefined;
}

const parsedCas = new WeakMap<CaCertificateRecord, X509Certificate | null>();

function parsedCa(record: CaCertificateRecord): X509Certificate | undefined {
  let parsed = parsedCas.get(record);
  if (parsed === undefined) {
    parsed = parseCertificateText(record.certificate) ?? null;
    parsedCas.set(record, parsed);
  }
  return parsed ?? undefined;
}
