import { attestationNotSupported, dpsBadRequest } from '../../errors/dps-catalogue.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import type { InitialTwin, ReprovisionPolicy } from '../../model/provisioning.js';
import type { AttestationInput, EnrollmentFieldsInput, EnrollmentGroupInput, EnrollmentInput } from '../../provisioning/enrollment-records.js';

// Wire → typed for the DPS service API (iothub-protocol-2.md §2.9): enrollment JSON in, validated once, here
// (house-style H8). Unknown fields are ignored. The JSON going out is provisioning/enrollment-documents.ts.
export { attestationJson, enrollmentGroupJson, enrollmentJson, registrationJson } from '../../provisioning/enrollment-documents.js';

/** An individual enrollment body for `PUT /enrollments/{id}` (the path id wins; a different body id is 400). */
export function parseEnrollment(body: unknown, pathId: string | undefined, ifMatch: string | undefined): EnrollmentInput {
  const object = objectOf(body, 'enrollment');
  const registrationId = idOf(object.registrationId, pathId, 'registrationId');
  const deviceId = optionalString(object.deviceId, 'deviceId');
  return { registrationId, ...(deviceId === undefined ? {} : { deviceId }), ...fieldsOf(object, ifMatch) };
}

/** An enrollment group body for `PUT /enrollmentGroups/{id}`. */
export function parseEnrollmentGroup(body: unknown, pathId: string, ifMatch: string | undefined): EnrollmentGroupInput {
  const object = objectOf(body, 'enrollment group');
  return { enrollmentGroupId: idOf(object.enrollmentGroupId, pathId, 'enrollmentGroupId'), ...fieldsOf(object, ifMatch) };
}

function fieldsOf(object: JsonObject, ifMatch: string | undefined): EnrollmentFieldsInput {
  const status = object.provisioningStatus;
  if (status !== undefined && status !== null && status !== 'enabled' && status !== 'disabled') throw dpsBadRequest("provisioningStatus must be 'enabled' or 'disabled'.");
  const capabilities = object.capabilities === undefined || object.capabilities === null ? {} : objectOf(object.capabilities, 'capabilities');
  if (capabilities.iotEdge !== undefined && typeof capabilities.iotEdge !== 'boolean') throw dpsBadRequest('capabilities.iotEdge must be a boolean.');
  const iotHubs = object.iotHubs ?? [];
  if (!Array.isArray(iotHubs) || !iotHubs.every((hub) => typeof hub === 'string')) throw dpsBadRequest('iotHubs must be a list of host names.');
  const etag = typeof object.etag === 'string' ? object.etag : undefined;
  return {
    attestation: attestationOf(object.attestation),
    ...(status === 'enabled' || status === 'disabled' ? { provisioningStatus: status } : {}),
    initialTwin: initialTwinOf(object.initialTwin),
    reprovisionPolicy: reprovisionOf(object.reprovisionPolicy),
    ...(typeof capabilities.iotEdge === 'boolean' ? { iotEdge: capabilities.iotEdge } : {}),
    allocationPolicy: optionalString(object.allocationPolicy, 'allocationPolicy') ?? null,
    iotHubs: iotHubs as string[],
    iotHubHostName: optionalString(object.iotHubHostName, 'iotHubHostName') ?? null,
    customAllocationDefinition: object.customAllocationDefinition === undefined || object.customAllocationDefinition === null ? null : objectOf(object.customAllocationDefinition, 'customAllocationDefinition'),
    ...(ifMatch !== undefined ? { ifMatch } : etag !== undefined ? { ifMatch: etag } : {}),
  };
}

function attestationOf(value: JsonValue | undefined): AttestationInput {
  const attestation = objectOf(value, 'attestation');
  if (attestation.type === 'symmetricKey') {
    const keys = attestation.symmetricKey === undefined || attestation.symmetricKey === null ? {} : objectOf(attestation.symmetricKey, 'attestation.symmetricKey');
    return { type: 'symmetricKey', symmetricKey: { primaryKey: optionalString(keys.primaryKey, 'primaryKey') ?? null, secondaryKey: optionalString(keys.secondaryKey, 'secondaryKey') ?? null } };
  }
  if (attestation.type === 'x509') return { type: 'x509', x509: objectOf(attestation.x509, 'attestation.x509') };
  if (typeof attestation.type === 'string') throw attestationNotSupported(attestation.type);
  throw dpsBadRequest("attestation.type must be 'symmetricKey' or 'x509'.");
}

function initialTwinOf(value: JsonValue | undefined): InitialTwin | null {
  if (value === undefined || value === null) return null;
  const twin = objectOf(value, 'initialTwin');
  const tags = twin.tags === undefined || twin.tags === null ? {} : objectOf(twin.tags, 'initialTwin.tags');
  const properties = twin.properties === undefined || twin.properties === null ? {} : objectOf(twin.properties, 'initialTwin.properties');
  const desired = properties.desired === undefined || properties.desired === null ? {} : objectOf(properties.desired, 'initialTwin.properties.desired');
  return { tags, desired };
}

function reprovisionOf(value: JsonValue | undefined): ReprovisionPolicy | null {
  if (value === undefined || value === null) return null;
  const policy = objectOf(value, 'reprovisionPolicy');
  const flag = (name: 'updateHubAssignment' | 'migrateDeviceData'): boolean => {
    const field = policy[name];
    if (field === undefined || field === null) return true;
    if (typeof field !== 'boolean') throw dpsBadRequest(`reprovisionPolicy.${name} must be a boolean.`);
    return field;
  };
  return { updateHubAssignment: flag('updateHubAssignment'), migrateDeviceData: flag('migrateDeviceData') };
}

function idOf(value: JsonValue | undefined, pathId: string | undefined, name: string): string {
  if (value !== undefined && value !== null && typeof value !== 'string') throw dpsBadRequest(`${name} must be a string.`);
  const id = pathId ?? value;
  if (typeof id !== 'string' || id === '') throw dpsBadRequest(`${name} is required.`);
  if (typeof value === 'string' && value.toLowerCase() !== id.toLowerCase()) throw dpsBadRequest(`The body's ${name} '${value}' differs from the path's '${id}'.`);
  return id;
}

function objectOf(value: unknown, name: string): JsonObject {
  if (!isJsonObject(value)) throw dpsBadRequest(`${name} must be a JSON object.`);
  return value;
}

function optionalString(value: JsonValue | undefined, name: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') throw dpsBadRequest(`${name} must be a string.`);
  return value;
}
