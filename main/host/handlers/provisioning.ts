import { deriveDeviceKey, type EnrollmentGroupRecord, type EnrollmentInput, type EnrollmentRecord, type JsonObject, type RegistrationRecord } from '../../../emulator/index.js';
import type { EnrollmentDto, RegistrationDto } from '../../contract/dto.js';
import type { NamespaceHandlers } from '../handler-types.js';

/** Registration history rows sent to the renderer at most (newest first). */
const MAX_REGISTRATIONS = 500;

/**
 * `provisioning.*`: the hub's Device Provisioning Service for the studio's Provisioning view — the same enrollment
 * service as the DPS service API (iothub-protocol-2.md §2.9), symmetric-key enrollments only.
 */
export const provisioningHandlers: NamespaceHandlers<'provisioning'> = {
  'provisioning.overview': async (_req, { host }) => {
    const hub = host.requireRunning();
    const { enrollments } = hub;
    const registrations = enrollments
      .registrations()
      .sort((a, b) => b.lastUpdatedDateTimeUtc.localeCompare(a.lastUpdatedDateTimeUtc))
      .slice(0, MAX_REGISTRATIONS)
      .map(toRegistrationDto);
    return {
      idScope: hub.info.provisioning.idScope,
      hostName: hub.info.hostName,
      serviceConnectionString: hub.info.provisioning.serviceConnectionString,
      enrollments: allPages((continuation) => enrollments.queryEnrollments({ pageSize: 1000, ...(continuation ? { continuation } : {}) })).map(toEnrollmentDto),
      groups: allPages((continuation) => enrollments.queryGroups({ pageSize: 1000, ...(continuation ? { continuation } : {}) })).map(toEnrollmentDto),
      registrations,
    };
  },
  'provisioning.putEnrollment': async ({ registrationId, deviceId, provisioningStatus, tags, desired }, { host }) => {
    const { enrollments } = host.requireRunning();
    const current = enrollments.findEnrollment(registrationId);
    const record = await enrollments.putEnrollment({
      registrationId,
      ...(deviceId !== undefined ? { deviceId } : current ? { deviceId: current.deviceId } : {}),
      provisioningStatus,
      ...studioFields(current, tags, desired),
    });
    return toEnrollmentDto(record);
  },
  'provisioning.putGroup': async ({ enrollmentGroupId, provisioningStatus, tags, desired }, { host }) => {
    const { enrollments } = host.requireRunning();
    const current = enrollments.findGroup(enrollmentGroupId);
    const record = await enrollments.putGroup({
      enrollmentGroupId,
      provisioningStatus,
      ...studioFields(current, tags, desired),
    });
    return toEnrollmentDto(record);
  },
  'provisioning.remove': async ({ kind, id }, { host }) => {
    const { enrollments } = host.requireRunning();
    if (kind === 'individual') await enrollments.deleteEnrollment(id);
    else if (kind === 'group') await enrollments.deleteGroup(id);
    else await enrollments.deleteRegistration(id);
    return { id };
  },
  'provisioning.deriveKey': async ({ groupKey, registrationId }) => ({ key: deriveDeviceKey(groupKey, registrationId) }),
};

function allPages<T>(page: (continuation: string | undefined) => { items: readonly T[]; continuation?: string }): T[] {
  const items: T[] = [];
  let continuation: string | undefined;
  do {
    const next = page(continuation);
    items.push(...next.items);
    continuation = next.continuation;
  } while (continuation !== undefined);
  return items;
}

function toEnrollmentDto(record: EnrollmentRecord | EnrollmentGroupRecord): EnrollmentDto {
  const keys = record.attestation.type === 'symmetricKey' ? record.attestation.symmetricKey : { primaryKey: '', secondaryKey: '' };
  return {
    id: 'registrationId' in record ? record.registrationId : record.enrollmentGroupId,
    kind: 'registrationId' in record ? 'individual' : 'group',
    deviceId: 'registrationId' in record ? record.deviceId : null,
    provisioningStatus: record.provisioningStatus,
    attestationType: record.attestation.type,
    primaryKey: keys.primaryKey,
    secondaryKey: keys.secondaryKey,
    tags: record.initialTwin?.tags ?? {},
    desired: record.initialTwin?.desired ?? {},
    etag: record.etag,
    lastUpdatedDateTimeUtc: record.lastUpdatedDateTimeUtc,
  };
}

function toRegistrationDto(record: RegistrationRecord): RegistrationDto {
  return {
    registrationId: record.registrationId,
    status: record.status,
    substatus: record.substatus,
    deviceId: record.deviceId,
    enrollmentGroupId: record.enrollmentGroupId,
    errorMessage: record.errorMessage,
    lastUpdatedDateTimeUtc: record.lastUpdatedDateTimeUtc,
  };
}

/**
 * What a studio edit of an enrollment or group sets besides its id and status: symmetric-key attestation (keys kept,
 * or generated for a new one), the initial twin from the form's tags/desired (else the current one), and the
 * reprovision policy and IoT Edge flag the enrollment already had.
 */
function studioFields(
  current: EnrollmentRecord | EnrollmentGroupRecord | undefined,
  tags: JsonObject | undefined,
  desired: JsonObject | undefined,
): Pick<EnrollmentInput, 'attestation' | 'initialTwin' | 'reprovisionPolicy' | 'iotEdge'> {
  return {
    attestation: current?.attestation ?? { type: 'symmetricKey', symmetricKey: {} },
    initialTwin: tags || desired ? { tags: tags ?? {}, desired: desired ?? {} } : (current?.initialTwin ?? null),
    reprovisionPolicy: current?.reprovisionPolicy ?? null,
    iotEdge: current?.iotEdge ?? false,
  };
}
