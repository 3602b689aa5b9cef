import { compileQuery, QueryError, type QueryPage } from '../../query/index.js';
import { jobAlreadyExists, jobNotFound, maxActiveJobsExceeded, queryInvalid } from '../../errors/catalogue.js';
import type { HubChange } from '../../model/changes.js';
import type { JsonObject } from '../../model/json.js';
import { isFinished, type JobMethod, type JobRecord, type JobStatus, type JobType, type StoredJob } from '../../model/job.js';
import type { RequestContext } from '../../model/request-context.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../util/clock.js';
import { getOwn } from '../../util/own-keys.js';
import type { HubData } from '../hub-data.js';
import type { MethodService } from '../method-service.js';
import { requestContext } from '../request-contexts.js';
import type { TwinService } from '../twin-service.js';
import { finalRow, JobRun } from './job-run.js';
import { deviceJobRow, jobResponse, type InFlight } from './job-views.js';
import { Limiter } from '../limiter.js';

/** A validated `PUT /jobs/v2/{id}` body (the transport turned the JSON into this). */
export interface JobRequest {
  readonly jobId: string;
  readonly type: JobType;
  /** A WHERE clause over device twins (no SELECT … FROM). */
  readonly queryCondition: string;
  /** Null: start now. */
  readonly startTime: string | null;
  readonly maxExecutionTimeInSeconds: number;
  readonly updateTwin: JsonObject | null;
  readonly cloudToDeviceMethod: JobMethod | null;
}

/** Limits of the job scheduler. */
export interface JobOptions {
  /** Device operations in flight at once across all jobs. Default 16. */
  readonly concurrency: number;
  /** Queued, scheduled and running jobs at once; more → 429 ThrottlingMaxActiveJobCountExceeded. Default 10 (S3). */
  readonly maxActive: number;
  /** Finished jobs kept (oldest dropped first); IoT Hub keeps them 30 days. Default 1000. */
  readonly retainFinished: number;
}

/** Default job limits. */
export const DEFAULT_JOB_OPTIONS: JobOptions = { concurrency: 16, maxActive: 10, retainFinished: 1000 };

/** What the job service needs from the hub. */
export interface JobServiceDeps {
  readonly data: HubData;
  readonly twins: TwinService;
  readonly methods: MethodService;
  /** Runs an IoT Hub query over the committed twins (device selection). */
  readonly query: (text: string, options: { pageSize?: number; continuation?: string }) => QueryPage;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly options?: Partial<JobOptions>;
}

/** The longest delay setTimeout takes; later starts re-arm. */
const MAX_TIMER_MS = 2_147_483_647;
/** How long a cancel relayed to another node waits for that node's write before answering with the job as it is. */
const CANCEL_RELAY_WAIT_MS = 10_000;

/**
 * Scheduled jobs (jobs v2, iothub-protocol-2.md §7): creates, schedules, runs, cancels and lists them, and serves
 * the `devices.jobs` rows. Every job and device row change is a change record (`jobPut`, `jobDevicesPut`); reads
 * come from the committed state. The service is the only writer of jobs, so it keeps the newest job headers itself.
 * After a restart, queued and scheduled jobs are scheduled again and a running job resumes with the devices that
 * have no final row yet (README "Jobs after a restart").
 */
export class JobService {
  private readonly options: JobOptions;
  private readonly latest = new Map<string, JobRecord>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly runs = new Map<string, JobRun>();
  private readonly limiter: Limiter;
  private closed = false;
  readonly inFlight: InFlight = (jobId, deviceId) => this.runs.get(jobId)?.isInFlight(deviceId) ?? false;
  /** In a cluster: asks the node that runs a job to cancel it (cluster-node.ts sets it). */
  private forwardCancel: ((jobId: string) => void) | undefined;

  constructor(private readonly deps: JobServiceDeps) {
    this.options = { ...DEFAULT_JOB_OPTIONS, ...deps.options };
    this.limiter = new Limiter(this.options.concurrency);
    for (const stored of Object.values(deps.data.committed.jobs)) this.latest.set(stored.job.jobId, stored.job);
  }

  /** Schedules the jobs found at start: queued/scheduled ones wait for their start time, running ones resume. */
  resume(): void {
    for (const job of this.latest.values()) {
      if (job.status === 'running') this.startRun(job, this.pendingDevices(job.jobId));
      else if (!isFinished(job.status)) void this.arm(job);
    }
  }

  /** `PUT /jobs/v2/{id}`: records the job (status `queued`) and schedules it. */
  async create(ctx: RequestContext, request: JobRequest): Promise<JsonObject> {
    // The committed jobs too: in a cluster another node may have created it (this node's map holds its own writes).
    if (this.latest.has(request.jobId) || getOwn(this.deps.data.committed.jobs, request.jobId) !== undefined) throw jobAlreadyExists(request.jobId);
    const known = new Map([...Object.values(this.deps.data.committed.jobs).map((stored) => [stored.job.jobId, stored.job] as const), ...this.latest]);
    const active = [...known.values()].filter((job) => !isFinished(job.status)).length;
    if (active >= this.options.maxActive) throw maxActiveJobsExceeded(this.options.maxActive);
    selectionQuery(request.queryCondition);
    const job: JobRecord = {
      ...request,
      createdTime: ctx.time,
      startTime: request.startTime ?? ctx.time,
      endTime: null,
      status: 'queued',
      failureReason: null,
      statusMessage: null,
    };
    await this.putJob(job);
    const response = this.get(job.jobId);
    // A future job is `scheduled` before the caller hears of it, so its next GET never shows `queued` again.
    await this.arm(job);
    return response;
  }

  /** `GET /jobs/v2/{id}`. */
  get(jobId: string): JsonObject {
    return jobResponse(this.committed(jobId), this.inFlight);
  }

  /**
   * In a cluster a job runs on the node it was created through (or the leader, after a restart): a cancel through
   * another node goes to the node that runs it, through `forward`.
   */
  relayCancels(forward: (jobId: string) => void): void {
    this.forwardCancel = forward;
  }

  /** True when this node runs the job, or waits to start it. */
  runsHere(jobId: string): boolean {
    return this.runs.has(jobId) || this.timers.has(jobId);
  }

  /** `POST /jobs/v2/{id}/cancel`: a job that has not finished is cancelled; a finished one is returned as is. */
  async cancel(jobId: string): Promise<JsonObject> {
    const stored = this.committed(jobId);
    if (this.forwardCancel !== undefined && !this.runsHere(jobId) && !isFinished(stored.job.status)) return this.cancelElsewhere(jobId);
    const job = this.latest.get(jobId);
    if (job && !isFinished(job.status)) {
      const time = this.now();
      clearTimeout(this.timers.get(jobId));
      this.timers.delete(jobId);
      const rows = this.runs.get(jobId)?.stop('cancel') ?? [];
      const changes: HubChange[] = [];
      if (rows.length > 0) changes.push({ kind: 'jobDevicesPut', jobId, devices: rows });
      await this.putJob({ ...job, status: 'cancelled', endTime: time }, changes);
    }
    return this.get(jobId);
  }

  /** Asks the node that runs the job to cancel it and answers once this node has its write (at most 10 s). */
  private async cancelElsewhere(jobId: string): Promise<JsonObject> {
    this.forwardCancel?.(jobId);
    // Real time, not the hub clock: this waits for another process.
    const deadline = Date.now() + CANCEL_RELAY_WAIT_MS;
    while (!isFinished(this.committed(jobId).job.status) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return this.get(jobId);
  }

  /** `GET /jobs/v2/query`: jobs oldest first, filtered by type and status. */
  list(filter: { type?: JobType; status?: JobStatus }): JsonObject[] {
    return Object.values(this.deps.data.committed.jobs)
      .filter(({ job }) => (filter.type === undefined || job.type === filter.type) && (filter.status === undefined || job.status === filter.status))
      .sort((a, b) => a.job.createdTime.localeCompare(b.job.createdTime) || a.job.jobId.localeCompare(b.job.jobId))
      .map((stored) => jobResponse(stored, this.inFlight));
  }

  /** The `devices.jobs` rows, job by job (committed state). */
  deviceJobRows(): JsonObject[] {
    const rows: JsonObject[] = [];
    for (const { job, devices } of Object.values(this.deps.data.committed.jobs)) {
      for (const row of Object.values(devices)) rows.push(deviceJobRow(job, row, this.inFlight));
    }
    return rows;
  }

  /** Hub stop: no new device operations start; calls under way end with the method service. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const run of this.runs.values()) run.stop('halt');
  }

  private async arm(job: JobRecord): Promise<void> {
    const delay = Date.parse(job.startTime) - this.deps.clock.now().getTime();
    if (delay <= 0) {
      void this.begin(job.jobId);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(job.jobId);
      const current = this.latest.get(job.jobId);
      if (current && !isFinished(current.status)) void this.arm(current);
    }, Math.min(delay, MAX_TIMER_MS));
    timer.unref();
    this.timers.set(job.jobId, timer);
    const current = this.latest.get(job.jobId);
    if (current?.status === 'queued') await this.putJob({ ...current, status: 'scheduled' }).catch((error: unknown) => this.failed(job.jobId, error));
  }

  /** Selects the devices (now, as IoT Hub does at start), records them pending and runs them. */
  private async begin(jobId: string): Promise<void> {
    const job = this.latest.get(jobId);
    if (this.closed || !job || isFinished(job.status) || job.status === 'running') return;
    try {
      const deviceIds = this.select(job.queryCondition);
      const time = this.now();
      const rows = deviceIds.map((deviceId) => finalRow(deviceId, 'pending', time, time, null, null, null));
      const running: JobRecord = { ...job, status: 'running' };
      await this.putJob(running, rows.length > 0 ? [{ kind: 'jobDevicesPut', jobId, devices: rows }] : []);
      this.startRun(running, deviceIds);
    } catch (error) {
      this.failed(jobId, error);
    }
  }

  private startRun(job: JobRecord, deviceIds: readonly string[]): void {
    if (this.closed) return;
    const run = new JobRun(job, {
      twins: this.deps.twins,
      methods: this.deps.methods,
      limiter: this.limiter,
      now: () => this.now(),
      context: (current) => requestContext(this.deps.clock, { principal: { kind: 'job', jobId: current.jobId }, operation: `jobs.${current.type}`, protocol: 'internal' }),
      write: (changes) => this.deps.data.write(changes, []),
    });
    this.runs.set(job.jobId, run);
    const deadline = Date.parse(job.startTime) + job.maxExecutionTimeInSeconds * 1000 - this.deps.clock.now().getTime();
    const expiry = setTimeout(() => void this.expire(run), Math.max(0, Math.min(deadline, MAX_TIMER_MS)));
    expiry.unref();
    void run.execute(deviceIds)
      .then(() => this.finish(run))
      .catch((error: unknown) => this.failed(job.jobId, error))
      .finally(() => {
        clearTimeout(expiry);
        this.runs.delete(job.jobId);
      });
  }

  /** Max execution time reached: devices not started yet fail; the job completes when the calls under way end. */
  private async expire(run: JobRun): Promise<void> {
    const rows = run.stop('expire');
    if (rows.length > 0) await this.deps.data.write([{ kind: 'jobDevicesPut', jobId: run.job.jobId, devices: rows }], []).catch((error: unknown) => this.failed(run.job.jobId, error));
  }

  private async finish(run: JobRun): Promise<void> {
    const job = this.latest.get(run.job.jobId);
    if (!job || isFinished(job.status) || this.closed) return;
    const statusMessage = run.stopReason === 'expire' ? `The job reached its maxExecutionTimeInSeconds (${job.maxExecutionTimeInSeconds}).` : null;
    await this.putJob({ ...job, status: 'completed', endTime: this.now(), statusMessage });
  }

  private failed(jobId: string, error: unknown): void {
    const job = this.latest.get(jobId);
    const reason = error instanceof Error ? error.message : String(error);
    this.deps.logger.warn(`job ${jobId} failed: ${reason}`);
    if (!job || isFinished(job.status) || this.closed) return;
    void this.putJob({ ...job, status: 'failed', endTime: this.now(), failureReason: reason }).catch(() => undefined);
  }

  private select(condition: string): string[] {
    const text = selectionQuery(condition);
    const ids: string[] = [];
    let continuation: string | undefined;
    do {
      const page = this.deps.query(text, { pageSize: 1000, ...(continuation === undefined ? {} : { continuation }) });
      for (const row of page.items) if (typeof row.deviceId === 'string') ids.push(row.deviceId);
      continuation = page.continuation;
    } while (continuation !== undefined);
    return ids;
  }

  private pendingDevices(jobId: string): string[] {
    const stored = getOwn(this.deps.data.committed.jobs, jobId);
    return Object.values(stored?.devices ?? {}).filter((row) => row.status === 'pending').map((row) => row.deviceId);
  }

  private async putJob(job: JobRecord, extra: readonly HubChange[] = []): Promise<void> {
    this.latest.set(job.jobId, job);
    await this.deps.data.write([{ kind: 'jobPut', job }, ...extra, ...this.pruned(job)], []);
  }

  /** `jobDeleted` records for the oldest finished jobs beyond the retention limit. */
  private pruned(job: JobRecord): HubChange[] {
    if (!isFinished(job.status)) return [];
    const finished = [...this.latest.values()].filter((entry) => isFinished(entry.status));
    const excess = finished.length - this.options.retainFinished;
    if (excess <= 0) return [];
    const oldest = finished.sort((a, b) => a.createdTime.localeCompare(b.createdTime)).slice(0, excess);
    for (const entry of oldest) this.latest.delete(entry.jobId);
    return oldest.map((entry) => ({ kind: 'jobDeleted', jobId: entry.jobId }));
  }

  private committed(jobId: string): StoredJob {
    const stored = getOwn(this.deps.data.committed.jobs, jobId);
    if (!stored) throw jobNotFound(jobId);
    return stored;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** `SELECT deviceId FROM devices WHERE <condition>`; a condition the engine cannot run is 400 with its position. */
function selectionQuery(condition: string): string {
  const prefix = 'SELECT deviceId FROM devices WHERE ';
  const text = `${prefix}${condition}`;
  try {
    compileQuery(text);
  } catch (error) {
    if (error instanceof QueryError) {
      // Positions are counted in the condition the caller wrote, not in the query built around it.
      const at = Math.max(0, error.position - prefix.length);
      throw queryInvalid(`queryCondition: ${error.message.replace(/position \d+/, `position ${at}`)}`, at);
    }
    throw error;
  }
  return text;
}
