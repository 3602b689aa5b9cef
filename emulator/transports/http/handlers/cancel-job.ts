import { jobIdOf } from '../job-input.js';
import type { RestOperation } from '../rest-types.js';

/** `POST /jobs/v2/{jobId}/cancel`: a job that has not finished becomes `cancelled`; 200 JobResponse. */
export const cancelJob: RestOperation = async (request, { jobs }) => ({ status: 200, body: await jobs.cancel(jobIdOf(request)) });
