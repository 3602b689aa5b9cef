import { checkQuery } from '../../provisioning/provisioning-pages.js';
import { parseEnrollment, enrollmentJson, attestationJson } from './enrollment-json.js';
import { ifMatchOf, pageOptions, pageReply } from './dps-http-helpers.js';
import type { DpsOperation } from './dps-types.js';

// Individual enrollments (iothub-protocol-2.md §2.9): PUT/GET/DELETE /enrollments/{id}, POST /enrollments (bulk),
// POST /enrollments/query, POST /enrollments/{id}/attestationmechanism.

export const putEnrollment: DpsOperation = async ({ params, headers, body, context }, { enrollments }) => {
  const record = await enrollments.putEnrollment(parseEnrollment(body, params.id ?? '', ifMatchOf(headers)), context);
  return { status: 200, body: enrollmentJson(record, enrollments.findRegistration(record.registrationId)) };
};

export const getEnrollment: DpsOperation = ({ params }, { enrollments }) => {
  const record = enrollments.getEnrollment(params.id ?? '');
  return { status: 200, body: enrollmentJson(record, enrollments.findRegistration(record.registrationId)) };
};

export const deleteEnrollment: DpsOperation = async ({ params, headers }, { enrollments }) => {
  await enrollments.deleteEnrollment(params.id ?? '', ifMatchOf(headers));
  return { status: 204 };
};

export const queryEnrollments: DpsOperation = ({ body, headers }, { enrollments }) => {
  checkQuery(typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined, 'enrollments');
  const page = enrollments.queryEnrollments(pageOptions(headers));
  return pageReply(page, 'enrollment', (record) => enrollmentJson(record, enrollments.findRegistration(record.registrationId)), headers);
};

export const getEnrollmentAttestation: DpsOperation = ({ params }, { enrollments }) => ({
  status: 200,
  body: attestationJson(enrollments.enrollmentAttestation(params.id ?? '')),
});
