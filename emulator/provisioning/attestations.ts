import type { EnrollmentAttestation } from '../model/provisioning.js';
import type { AttestationMechanism } from './attestation.js';
import { symmetricKeyAttestation } from './symmetric-key-attestation.js';

/** The attestation kinds the emulator verifies; X.509 joins here when its mechanism exists. */
const MECHANISMS: readonly AttestationMechanism[] = [symmetricKeyAttestation];

/** The mechanism for an attestation type, or undefined for a type the emulator does not verify. */
export function mechanismFor(attestation: EnrollmentAttestation): AttestationMechanism | undefined {
  return MECHANISMS.find((mechanism) => mechanism.type === attestation.type);
}
