import { checkQuery } from '../../provisioning/provisioning-pages.js';
import { attestationJson, enrollmentGroupJson, parseEnrollmentGroup, registrationJson } from './enrollment-json.js';
import { ifMatchOf, pageOptions, pageReply } from './dps-http-helpers.js';
import type { DpsOperation } from './dps-types.js';

// Enrollment groups and registration states (iothub-protocol-2.md §2.9).

export const putEnrollmentGroup: DpsOperation = async ({ params, headers, body, context }, { enrollments }) => ({
  status: 200,
  body: enrollmentGroupJson(await enrollments.putGroup(parseEnrollmentGroup(body, params.id ?? '', ifMatchOf(headers)), context)),
});

export const getEnrollmentGroup: DpsOperation = ({ params }, { enrollments }) => ({ status: 200, body: enrollmentGroupJson(enrollments.getGroup(params.id ?? '')) });

export const deleteEnrollmentGroup: DpsOperation = async ({ params, headers }, { enrollments }) => {
  await enrollments.deleteGroup(params.id ?? '', ifMatchOf(headers));
  return { status: 204 };
};

export const queryEnrollmentGroups: DpsOperation = ({ body, headers }, { enrollments }) => {
  checkQuery(typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined, 'enrollmentGroups');
  return pageReply(enrollments.queryGroups(pageOptions(headers)), 'enrollmentGroup', enrollmentGroupJson, headers);
};

export const getEnrollmentGroupAttestation: DpsOperation = ({ params }, { enrollments }) => ({
  status: 200,
  body: attestationJson(enrollments.getGroup(params.id ?? '').attestation),
});

export const getRegistrationState: DpsOperation = ({ params }, { enrollments }) => ({ status: 200, body: registrationJson(enrollments.getRegistration(params.id ?? '')) });

export const deleteRegistrationState: DpsOperation = async ({ params, headers }, { enrollments }) => {
  await enrollments.deleteRegistration(params.id ?? '', ifMatchOf(headers));
  return { status: 204 };
};

export const queryGroupRegistrations: DpsOperation = ({ params, body, headers }, { enrollments }) => {
  checkQuery(typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined, 'registrations');
  return pageReply(enrollments.queryGroupRegistrations(params.id ?? '', pageOptions(headers)), 'deviceRegistration', registrationJson, headers);
};
