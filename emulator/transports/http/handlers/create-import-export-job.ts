import { argumentInvalid, blobContainerValidationError } from '../../../errors/catalogue.js';
import { objectBody } from '../request-input.js';
import type { RestOperation } from '../rest-types.js';

/**
 * `POST /jobs/create` (import/export devices, iothub-protocol-2.md §7.5). The hub checks that it can reach the blob
 * container before it accepts the job; this emulator has no storage account linked, so a well-formed request is
 * answered 400 BlobContainerValidationError and no job is created.
 */
export const createImportExportJob: RestOperation = (request) => {
  const body = objectBody(request);
  const type = typeof body.type === 'string' ? body.type.toLowerCase() : body.type;
  if (type !== 'export' && type !== 'import') throw argumentInvalid(`The job type '${String(body.type)}' is invalid: use import or export.`);
  const field = type === 'export' ? 'outputBlobContainerUri' : 'inputBlobContainerUri';
  const uri = body[field];
  if (typeof uri !== 'string' || uri === '') throw argumentInvalid(`${field} is required for an ${type} job.`);
  let host: string;
  try {
    host = new URL(uri).host;
  } catch {
    throw argumentInvalid(`${field} is not a valid URI.`);
  }
  throw blobContainerValidationError(
    `Could not validate the blob container at ${host}: this emulator has no storage account linked, so ${type} jobs cannot run.`,
  );
};
