import { createHmac } from 'node:crypto';

import { decodeBase64Key } from '../auth/key.js';
import { verifySasSignature } from '../auth/sas-token.js';

import type { AttestationMechanism, AttestationOutcome, DeviceCredential } from './attestation.js';

/**
 * The device key of a group member: base64(HMAC-SHA256(key = base64-decoded group key, message = registration id))
 * (iothub-protocol-2.md §2.7). Empty when the group key is not base64.
 */
export function deriveDeviceKey(groupKey: string, registrationId: string): string {
  const key = decodeBase64Key(groupKey);
  if (!key) return '';
  return createHmac('sha256', key).update(registrationId, 'utf8').digest('base64');
}

/**
 * Symmetric-key attestation: the SAS token is signed with the individual enrollment's primary or secondary key,
 * or with a key derived from the group's primary or secondary key. The hub device gets the same keys, so the
 * device connects to the hub with the key it used for DPS (§2.7).
 */
export const symmetricKeyAttestation: AttestationMechanism = {
  type: 'symmetricKey',
  proveIndividual(credential, attestation) {
    if (credential.kind !== 'sas' || attestation.type !== 'symmetricKey') return undefined;
    const { primaryKey, secondaryKey } = attestation.symmetricKey;
    return proveWith(credential, primaryKey, secondaryKey);
  },
  proveGroupMember(credential, attestation, registrationId) {
    if (credential.kind !== 'sas' || attestation.type !== 'symmetricKey') return undefined;
    const { primaryKey, secondaryKey } = attestation.symmetricKey;
    return proveWith(credential, deriveDeviceKey(primaryKey, registrationId), deriveDeviceKey(secondaryKey, registrationId));
  },
};

function proveWith(credential: DeviceCredential & { kind: 'sas' }, primaryKey: string, secondaryKey: string): AttestationOutcome {
  if (!verifySasSignature(credential.token, [primaryKey, secondaryKey])) return { refused: 'the SAS token is not signed with the enrollment\'s primary or secondary key' };
  return { authentication: { type: 'sas', symmetricKey: { primaryKey, secondaryKey } } };
}
