import type { JsonObject } from '../model/json.js';
import type { EnrollmentAttestation, EnrollmentCommon, EnrollmentGroupRecord, EnrollmentRecord, RegistrationRecord } from '../model/provisioning.js';
import { x509AttestationJson } from './x509-enrollment-certificates.js';

// The JSON documents of DPS records, as the service API returns them and as a custom-allocation webhook receives
// them (iothub-protocol-2.md §2.5, §2.8, §2.9).

/** An individual enrollment as DPS returns it (keys included), with its registration state when there is one. */
export function enrollmentJson(record: EnrollmentRecord, registration: RegistrationRecord | undefined): JsonObject {
  return {
    registrationId: record.registrationId,
    ...(record.deviceId === null ? {} : { deviceId: record.deviceId }),
    ...(registration ? { registrationState: registrationJson(registration) } : {}),
    ...commonJson(record),
  };
}

/** An enrollment group as DPS returns it. */
export function enrollmentGroupJson(record: EnrollmentGroupRecord): JsonObject {
  return { enrollmentGroupId: record.enrollmentGroupId, ...commonJson(record) };
}

function commonJson(record: EnrollmentCommon): JsonObject {
  return {
    attestation: attestationJson(record.attestation),
    capabilities: { iotEdge: record.iotEdge },
    ...(record.iotHubHostName === null ? {} : { iotHubHostName: record.iotHubHostName }),
    ...(record.initialTwin === null ? {} : { initialTwin: { tags: record.initialTwin.tags, properties: { desired: record.initialTwin.desired } } }),
    etag: record.etag,
    provisioningStatus: record.provisioningStatus,
    reprovisionPolicy: { ...record.reprovisionPolicy },
    createdDateTimeUtc: record.createdDateTimeUtc,
    lastUpdatedDateTimeUtc: record.lastUpdatedDateTimeUtc,
    ...(record.allocationPolicy === null ? {} : { allocationPolicy: record.allocationPolicy }),
    iotHubs: [...record.iotHubs],
    ...(record.customAllocationDefinition === null ? {} : { customAllocationDefinition: record.customAllocationDefinition }),
  };
}

/** The attestation mechanism (`…/attestationmechanism`): the type and its keys or certificates. */
export function attestationJson(attestation: EnrollmentAttestation): JsonObject {
  if (attestation.type === 'x509') return { type: 'x509', x509: x509AttestationJson(attestation.x509) };
  return { type: 'symmetricKey', symmetricKey: { ...attestation.symmetricKey } };
}

/** A device registration state (service API and the device's `registrationState`, §2.5). */
export function registrationJson(record: RegistrationRecord): JsonObject {
  return {
    registrationId: record.registrationId,
    createdDateTimeUtc: record.createdDateTimeUtc,
    ...(record.assignedHub === null ? {} : { assignedHub: record.assignedHub }),
    ...(record.deviceId === null ? {} : { deviceId: record.deviceId }),
    status: record.status,
    ...(record.substatus === null ? {} : { substatus: record.substatus }),
    ...(record.errorCode === null ? {} : { errorCode: record.errorCode }),
    ...(record.errorMessage === null ? {} : { errorMessage: record.errorMessage }),
    ...(record.payload === undefined ? {} : { payload: record.payload }),
    lastUpdatedDateTimeUtc: record.lastUpdatedDateTimeUtc,
    etag: record.etag,
    // The attestation echo: `symmetricKey: {}` / `x509: {}`, with the group id for a group member (§2.5).
    ...(record.attestationType === 'symmetricKey' || record.attestationType === 'x509'
      ? { [record.attestationType]: record.enrollmentGroupId === null ? {} : { enrollmentGroupId: record.enrollmentGroupId } }
      : {}),
  };
}
