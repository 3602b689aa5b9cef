import { chainToAnchor, matchesThumbprint, thumbprintsOf, validityProblem, type TrustAnchor } from '../auth/x509-credential.js';
import type { EnrollmentAttestation } from '../model/provisioning.js';
import type { AttestationContext, AttestationMechanism, AttestationOutcome, DeviceCredential } from './attestation.js';
import { enrollmentCertificates, type X509EnrollmentCertificates } from './x509-enrollment-certificates.js';

/**
 * X.509 attestation (iothub-protocol-2.md §2.2, §2.8). The device presents its certificate in the TLS handshake and
 * names the registration id, which must be the leaf's subject CN (checked before any enrollment is consulted,
 * `registration-service.ts`).
 * - An individual enrollment with `clientCertificates` is proved by the leaf itself (either thumbprint equals the
 *   primary's or the secondary's); the hub device gets `selfSigned` with the enrollment's certificates' SHA-1
 *   thumbprints, so the device connects to the hub with the same certificate and the secondary keeps working.
 * - A group (or an individual enrollment) with `signingCertificates` is proved by a chain from the leaf, through
 *   the intermediates the device sent, to the primary or secondary signing certificate; the hub device gets
 *   `selfSigned` with the leaf's thumbprint (the hub does not know the group's signing certificate).
 * - `caReferences` name CA certificates registered on the hub (this emulator's DPS shares the hub's certificate
 *   list); the CA must be verified (proof of possession) and the hub device gets `certificateAuthority`, checked on
 *   connect against the same CA.
 * Certificates are checked for their validity period; no CRL or OCSP.
 */
export const x509Attestation: AttestationMechanism = {
  type: 'x509',
  proveIndividual(credential, attestation, _registrationId, context) {
    return prove(credential, attestation, context);
  },
  proveGroupMember(credential, attestation, _registrationId, context) {
    return prove(credential, attestation, context);
  },
};

function prove(credential: DeviceCredential, attestation: EnrollmentAttestation, context: AttestationContext): AttestationOutcome {
  if (credential.kind !== 'x509' || attestation.type !== 'x509') return undefined;
  const { presented } = credential;
  const expired = validityProblem(presented.leaf, context.now);
  if (expired) return { refused: expired };
  const certificates = enrollmentCertificates(attestation.x509);
  if (certificates.client.length > 0) return proveLeaf(presented.leafDer, certificates);
  const signing = signingAnchors(certificates);
  if (signing.length > 0) {
    const chain = chainToAnchor(presented, signing, context.now);
    if (chain.ok) return { authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: thumbprintsOf(presented.leafDer).sha1, secondaryThumbprint: null } } };
    if (certificates.caReferences.length === 0) return { refused: chain.reason };
  }
  const references = certificates.caReferences.map(({ name }) => context.caCertificate(name) ?? name);
  const anchors = references.filter((reference): reference is TrustAnchor => typeof reference !== 'string');
  const missing = references.filter((reference): reference is string => typeof reference === 'string');
  if (anchors.length === 0) return { refused: `the CA certificate${missing.length > 1 ? 's' : ''} '${missing.join("', '")}' named by caReferences ${missing.length > 1 ? 'are' : 'is'} not registered on the hub` };
  const chain = chainToAnchor(presented, anchors, context.now);
  if (!chain.ok) return { refused: chain.reason };
  return { authentication: { type: 'certificateAuthority' } };
}

function proveLeaf(leafDer: Buffer, certificates: X509EnrollmentCertificates): AttestationOutcome {
  const prints = thumbprintsOf(leafDer);
  const stored = certificates.client.flatMap(({ thumbprints }) => [thumbprints.sha1, thumbprints.sha256]);
  if (!matchesThumbprint(prints, stored)) return { refused: `the client certificate (SHA-1 ${prints.sha1}) is neither the enrollment's primary nor its secondary certificate` };
  const slot = (name: 'primary' | 'secondary') => {
    const found = certificates.client.find((entry) => entry.slot === name);
    return found ? found.thumbprints.sha1 || found.thumbprints.sha256 : null;
  };
  return { authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: slot('primary') ?? slot('secondary'), secondaryThumbprint: slot('primary') ? slot('secondary') : null } } };
}

/** The group's signing certificates as trust anchors: uploaded to the enrollment itself, so they count as verified. */
function signingAnchors(certificates: X509EnrollmentCertificates): TrustAnchor[] {
  return certificates.signing.flatMap(({ slot, certificate }) => (certificate ? [{ name: `signingCertificates.${slot}`, certificate, verified: true }] : []));
}
