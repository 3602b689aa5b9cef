import { jobRequestOf } from '../job-input.js';
import type { RestOperation } from '../rest-types.js';

/** `PUT /jobs/v2/{jobId}` (iothub-protocol-2.md §7.1): schedules a twin update or method job; 200 JobResponse `queued`. */
export const createJob: RestOperation = async (request, { jobs }) => ({
  status: 200,
  body: await jobs.create(request.context, jobRequestOf(request)),
});
