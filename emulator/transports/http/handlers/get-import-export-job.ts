import { jobNotFound } from '../../../errors/catalogue.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /jobs/{jobId}` and `DELETE /jobs/{jobId}` (import/export jobs): none exist here, so 404 JobNotFound. */
export const getImportExportJob: RestOperation = (request) => {
  throw jobNotFound(request.params.jobId ?? '');
};
