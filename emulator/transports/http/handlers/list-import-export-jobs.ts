import type { RestOperation } from '../rest-types.js';

/** `GET /jobs` (import/export jobs): none ever exist here (`create-import-export-job.ts`), so an empty array. */
export const listImportExportJobs: RestOperation = () => ({ status: 200, body: [] });
