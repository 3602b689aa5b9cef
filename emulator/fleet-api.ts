import type { JsonObject } from './model/json.js';
import type { JobStatus, JobType } from './model/job.js';
import type { RequestContext } from './model/request-context.js';
import type { ConfigurationService } from './services/configurations/configuration-service.js';
import type { JobService } from './services/jobs/job-service.js';
import { requestContext } from './services/request-contexts.js';
import { parseConfigurationInput } from './transports/http/configuration-input.js';
import { parseJobRequest } from './transports/http/job-input.js';
import type { Clock } from './util/clock.js';

/**
 * Jobs and configurations as the studio (and other in-process clients) drive them: the same services and checks as
 * `/jobs/v2` and `/configurations`, with the studio as the writer (`studio` in twin change logs that do not name a
 * job or configuration).
 */
export class FleetApi {
  constructor(
    private readonly jobs: JobService,
    private readonly configurations: ConfigurationService,
    private readonly clock: Clock,
  ) {}

  /** Schedules a job from a JobRequest-shaped body (`type`, `queryCondition`, `updateTwin` or `cloudToDeviceMethod`, …). */
  async scheduleJob(jobId: string, body: JsonObject): Promise<JsonObject> {
    return this.jobs.create(this.context('jobs.create'), parseJobRequest(jobId, body));
  }

  cancelJob(jobId: string): Promise<JsonObject> {
    return this.jobs.cancel(jobId);
  }

  /** Jobs, oldest first, optionally filtered. */
  listJobs(filter: { type?: JobType; status?: JobStatus } = {}): JsonObject[] {
    return this.jobs.list(filter);
  }

  /** Creates (`etag` absent) or updates (`etag` given, `*` forces) a configuration from a Configuration-shaped body. */
  async putConfiguration(id: string, body: JsonObject, etag?: string): Promise<JsonObject> {
    return this.configurations.put(this.context('configurations.put'), parseConfigurationInput(id, body), etag);
  }

  /** Configurations with their metrics, oldest first. */
  listConfigurations(): JsonObject[] {
    return this.configurations.list();
  }

  removeConfiguration(id: string, etag?: string): Promise<void> {
    return this.configurations.remove(id, etag);
  }

  private context(operation: string): RequestContext {
    return requestContext(this.clock, { principal: { kind: 'studio' }, operation, protocol: 'studio' });
  }
}
