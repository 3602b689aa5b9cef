import { bulkEnrollments } from './bulk-enrollments.js';
import { getDeviceRegistration, getOperationStatus, registerDevice } from './device-registration-handlers.js';
import {
  deleteEnrollmentGroup,
  deleteRegistrationState,
  getEnrollmentGroup,
  getEnrollmentGroupAttestation,
  getRegistrationState,
  putEnrollmentGroup,
  queryEnrollmentGroups,
  queryGroupRegistrations,
} from './enrollment-group-handlers.js';
import { deleteEnrollment, getEnrollment, getEnrollmentAttestation, putEnrollment, queryEnrollments } from './enrollment-handlers.js';
import type { DpsRoute } from './dps-types.js';

/** The device routes of DPS (iothub-protocol-2.md §2.4); `{idScope}` must be this hub's id scope. */
export const DPS_DEVICE_ROUTES: readonly DpsRoute[] = [
  { method: 'PUT', pattern: '/{idScope}/registrations/{registrationId}/register', access: { kind: 'device' }, operation: registerDevice },
  { method: 'GET', pattern: '/{idScope}/registrations/{registrationId}/operations/{operationId}', access: { kind: 'device' }, operation: getOperationStatus },
  { method: 'POST', pattern: '/{idScope}/registrations/{registrationId}', access: { kind: 'device' }, operation: getDeviceRegistration },
];

/** The service routes of DPS (`ProvisioningServiceClient`, iothub-protocol-2.md §2.9); literals match any case. */
export const DPS_SERVICE_ROUTES: readonly DpsRoute[] = [
  { method: 'PUT', pattern: '/enrollments/{id}', access: { kind: 'service', right: 'EnrollmentWrite' }, operation: putEnrollment },
  { method: 'GET', pattern: '/enrollments/{id}', access: { kind: 'service', right: 'EnrollmentRead' }, operation: getEnrollment },
  { method: 'DELETE', pattern: '/enrollments/{id}', access: { kind: 'service', right: 'EnrollmentWrite' }, operation: deleteEnrollment },
  { method: 'POST', pattern: '/enrollments', access: { kind: 'service', right: 'EnrollmentWrite' }, operation: bulkEnrollments },
  { method: 'POST', pattern: '/enrollments/query', access: { kind: 'service', right: 'EnrollmentRead' }, operation: queryEnrollments },
  { method: 'POST', pattern: '/enrollments/{id}/attestationmechanism', access: { kind: 'service', right: 'EnrollmentRead' }, operation: getEnrollmentAttestation },
  { method: 'PUT', pattern: '/enrollmentGroups/{id}', access: { kind: 'service', right: 'EnrollmentWrite' }, operation: putEnrollmentGroup },
  { method: 'GET', pattern: '/enrollmentGroups/{id}', access: { kind: 'service', right: 'EnrollmentRead' }, operation: getEnrollmentGroup },
  { method: 'DELETE', pattern: '/enrollmentGroups/{id}', access: { kind: 'service', right: 'EnrollmentWrite' }, operation: deleteEnrollmentGroup },
  { method: 'POST', pattern: '/enrollmentGroups/query', access: { kind: 'service', right: 'EnrollmentRead' }, operation: queryEnrollmentGroups },
  { method: 'POST', pattern: '/enrollmentGroups/{id}/attestationmechanism', access: { kind: 'service', right: 'EnrollmentRead' }, operation: getEnrollmentGroupAttestation },
  { method: 'GET', pattern: '/registrations/{id}', access: { kind: 'service', right: 'RegistrationStatusRead' }, operation: getRegistrationState },
  { method: 'DELETE', pattern: '/registrations/{id}', access: { kind: 'service', right: 'RegistrationStatusWrite' }, operation: deleteRegistrationState },
  { method: 'POST', pattern: '/registrations/{id}/query', access: { kind: 'service', right: 'RegistrationStatusRead' }, operation: queryGroupRegistrations },
];
