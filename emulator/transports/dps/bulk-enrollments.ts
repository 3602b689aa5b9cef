import { dpsBadRequest } from '../../errors/dps-catalogue.js';
import { isJsonObject } from '../../model/json.js';
import type { EnrollmentInput } from '../../provisioning/enrollment-records.js';
import type { BulkMode } from '../../provisioning/enrollment-service.js';
import { parseEnrollment } from './enrollment-json.js';
import type { DpsOperation } from './dps-types.js';

const MODES: ReadonlySet<string> = new Set(['create', 'update', 'updateIfMatchETag', 'delete']);

/** `POST /enrollments` `{"mode":…,"enrollments":[…]}` → `{"isSuccessful","errors"}` (iothub-protocol-2.md §2.9). */
export const bulkEnrollments: DpsOperation = async ({ body, context }, { enrollments }) => {
  if (!isJsonObject(body)) throw dpsBadRequest('The body must be {"mode":…,"enrollments":[…]}.');
  const { mode, enrollments: list } = body;
  if (typeof mode !== 'string' || !MODES.has(mode)) throw dpsBadRequest("mode must be 'create', 'update', 'updateIfMatchETag' or 'delete'.");
  if (!Array.isArray(list)) throw dpsBadRequest('enrollments must be a list.');
  const inputs = list.map((item) => (mode === 'delete' ? deleteInput(item) : parseEnrollment(item, undefined, undefined)));
  const result = await enrollments.bulk(mode as BulkMode, inputs, context);
  return { status: 200, body: result };
};

/** A delete only needs the registration id (and the etag, when given); no attestation. */
function deleteInput(item: unknown): EnrollmentInput {
  if (!isJsonObject(item) || typeof item.registrationId !== 'string' || item.registrationId === '') throw dpsBadRequest('Each enrollment needs a registrationId.');
  return { registrationId: item.registrationId, attestation: { type: 'symmetricKey', symmetricKey: {} }, ...(typeof item.etag === 'string' ? { ifMatch: item.etag } : {}) };
}
