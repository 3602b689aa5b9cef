import { jobIdOf } from '../job-input.js';
import type { RestOperation } from '../rest-types.js';

/** `GET /jobs/v2/{jobId}`: the JobResponse with its status and `deviceJobStatistics`; 404 JobNotFound. */
export const getJob: RestOperation = (request, { jobs }) => ({ status: 200, body: jobs.get(jobIdOf(request)) });
