import type { EnrollmentAttestation } from '../model/provisioning.js';
import type { AttestationMechanism } from './attestation.js';
import { symmetricKeyAttestation } from './symmetric-key-attestation.js';
import { x509Attestation } from './x509-attestation.js';

/** The attestation kinds the emulator verifies (TPM is not emulated). */
const MECHANISMS: readonly AttestationMechanism[] = [symmetricKeyAttestation, x509Attestation];

/** The mechanism for an attestation type, or undefined for a type the emulator does not verify. */
export function mechanismFor(attestation: EnrollmentAttestation): AttestationMechanism | undefined {
  return MECHANISMS.find((mechanism) => mechanism.type === attestation.type);
}
