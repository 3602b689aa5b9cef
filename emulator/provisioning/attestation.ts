import type { PresentedCertificate, TrustAnchor } from '../auth/x509-credential.js';
import type { SasToken } from '../auth/sas-token.js';
import type { EnrollmentAttestation } from '../model/provisioning.js';
import type { AuthenticationInput } from '../services/identity-fields.js';

/**
 * What a device presented to the provisioning service: symmetric-key devices send a SAS token (MQTT password, HTTPS
 * `Authorization`, AMQP SASL PLAIN password); X.509 devices present their TLS client certificate chain.
 */
export type DeviceCredential = { readonly kind: 'sas'; readonly token: SasToken } | { readonly kind: 'x509'; readonly presented: PresentedCertificate };

/** The enrollment a credential proved, and whether it came from a group. */
export interface AttestationProof {
  /** The hub identity's authentication for the device (keys or thumbprints), as the registry takes it. */
  readonly authentication: AuthenticationInput;
}

/**
 * The enrollment is the device's (its kind of credential, its registration id or its group) but the credential
 * fails it, for a reason the hub log and the 401 name (an expired certificate, an unverified CA …).
 */
export interface AttestationRefusal {
  readonly refused: string;
}

/** What a mechanism answers: a proof, a named refusal, or undefined when the enrollment is not about this credential. */
export type AttestationOutcome = AttestationProof | AttestationRefusal | undefined;

/** What a mechanism may consult besides the credential and the enrollment. */
export interface AttestationContext {
  readonly now: Date;
  /** A CA certificate registered on the hub, by name (`caReferences`); undefined when there is none. */
  caCertificate(name: string): TrustAnchor | undefined;
}

/**
 * One attestation kind (iothub-protocol-2.md §2.2): how a credential proves a registration id against an individual
 * enrollment or an enrollment group, and what the hub identity DPS creates gets. The registration flow asks the
 * mechanism of the enrollment's `attestation.type`; a new kind is a new mechanism in `provisioning/attestations.ts`,
 * nothing in the flow changes.
 */
export interface AttestationMechanism {
  readonly type: EnrollmentAttestation['type'];
  /** The outcome of `credential` proving `registrationId` for an individual enrollment with `attestation`. */
  proveIndividual(credential: DeviceCredential, attestation: EnrollmentAttestation, registrationId: string, context: AttestationContext): AttestationOutcome;
  /** The outcome of `credential` proving `registrationId` as a member of a group with `attestation`. */
  proveGroupMember(credential: DeviceCredential, attestation: EnrollmentAttestation, registrationId: string, context: AttestationContext): AttestationOutcome;
}

/** True when an outcome is a refusal. */
export function isRefusal(outcome: AttestationOutcome): outcome is AttestationRefusal {
  return outcome !== undefined && 'refused' in outcome;
}
