import { cancelJob } from './handlers/cancel-job.js';
import { createImportExportJob } from './handlers/create-import-export-job.js';
import { createJob } from './handlers/create-job.js';
import { getImportExportJob } from './handlers/get-import-export-job.js';
import { getJob } from './handlers/get-job.js';
import { listImportExportJobs } from './handlers/list-import-export-jobs.js';
import { queryJobs } from './handlers/query-jobs.js';
import type { RouteDefinition } from './rest-types.js';

/**
 * Jobs (iothub-protocol-2.md §7): scheduled jobs v2 and the import/export job surface. Creating and cancelling a job
 * needs RegistryWrite, reading jobs ServiceConnect; import/export needs RegistryRead/RegistryWrite.
 */
export const JOB_ROUTES: readonly RouteDefinition[] = [
  { method: 'PUT', pattern: '/jobs/v2/{jobId}', right: 'RegistryWrite', operation: createJob },
  { method: 'GET', pattern: '/jobs/v2/query', right: 'ServiceConnect', operation: queryJobs },
  { method: 'GET', pattern: '/jobs/v2/{jobId}', right: 'ServiceConnect', operation: getJob },
  { method: 'POST', pattern: '/jobs/v2/{jobId}/cancel', right: 'RegistryWrite', operation: cancelJob },
  { method: 'POST', pattern: '/jobs/create', right: 'RegistryWrite', operation: createImportExportJob },
  { method: 'GET', pattern: '/jobs', right: 'RegistryRead', operation: listImportExportJobs },
  { method: 'GET', pattern: '/jobs/{jobId}', right: 'RegistryRead', operation: getImportExportJob },
  { method: 'DELETE', pattern: '/jobs/{jobId}', right: 'RegistryWrite', operation: getImportExportJob },
];
