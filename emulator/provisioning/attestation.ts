import type { SasToken } from '../auth/sas-token.js';
import type { EnrollmentAttestation } from '../model/provisioning.js';
import type { AuthenticationInput } from '../services/identity-fields.js';

/**
 * What a device presented to the provisioning service. Symmetric-key devices send a SAS token (MQTT password or
 * HTTPS `Authorization`); an X.509 device will present its TLS client certificate chain as another kind here.
 */
export type DeviceCredential = { readonly kind: 'sas'; readonly token: SasToken };

/** The enrollment a credential proved, and whether it came from a group. */
export interface AttestationProof {
  /** The hub identity's authentication for the device (keys or thumbprints), as the registry takes it. */
  readonly authentication: AuthenticationInput;
}

/**
 * One attestation kind (iothub-protocol-2.md §2.2): how a credential proves a registration id against an individual
 * enrollment or an enrollment group, and what the hub identity DPS creates gets. The registration flow asks the
 * mechanism of the enrollment's `attestation.type`; adding X.509 means adding a mechanism for `x509`
 * (`provisioning/attestations.ts`), nothing in the flow changes.
 */
export interface AttestationMechanism {
  readonly type: EnrollmentAttestation['type'];
  /** The proof when `credential` proves `registrationId` for an individual enrollment with `attestation`. */
  proveIndividual(credential: DeviceCredential, attestation: EnrollmentAttestation, registrationId: string): AttestationProof | undefined;
  /** The proof when `credential` proves `registrationId` as a member of a group with `attestation`. */
  proveGroupMember(credential: DeviceCredential, attestation: EnrollmentAttestation, registrationId: string): AttestationProof | undefined;
}
