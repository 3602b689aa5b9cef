import { isIotHubError } from '../../errors/iothub-error.js';
import type { HubChange } from '../../model/changes.js';
import type { JsonObject } from '../../model/json.js';
import type { DeviceJobRecord, JobRecord } from '../../model/job.js';
import type { RequestContext } from '../../model/request-context.js';
import { parseServiceTwinBody } from '../../twin/service-twin-body.js';
import type { MethodService } from '../method-service.js';
import type { TwinService } from '../twin-service.js';
import type { Limiter } from '../limiter.js';

/** What a job run needs from the hub. */
export interface JobRunDeps {
  readonly twins: TwinService;
  readonly methods: MethodService;
  /** Shared by every run: bounds the device operations in flight across all jobs. */
  readonly limiter: Limiter;
  readonly now: () => string;
  /** The context of the job's writes: the job is the writer the twin change log shows. */
  readonly context: (job: JobRecord) => RequestContext;
  /** Appends change records (durable when it resolves). */
  readonly write: (changes: readonly HubChange[]) => Promise<void>;
}

/** How long finished device rows wait to be written together. */
const FLUSH_MS = 20;

/** Why a run stopped taking devices before it ran out of them. */
export type StopReason = 'cancel' | 'expire' | 'halt';

/**
 * One running job (iothub-protocol-2.md §7.3): takes its pending devices one by one through the shared limiter,
 * applies the twin patch through the one twin write path or calls the method through the one method dispatcher,
 * and records each device's result. `stop` ends it early: devices not started yet are canceled (cancel) or failed
 * (max execution time); calls already under way finish and are recorded.
 */
export class JobRun {
  private readonly inFlight = new Set<string>();
  private readonly done = new Set<string>();
  private devices: readonly string[] = [];
  private stopped: StopReason | undefined;
  /** Rows finished since the last write, written together (one record per write, not per device). */
  private buffered: { row: DeviceJobRecord; done: { resolve: () => void; reject: (error: unknown) => void } }[] = [];
  private flushScheduled = false;

  constructor(
    readonly job: JobRecord,
    private readonly deps: JobRunDeps,
  ) {}

  /** True while `deviceId` is being worked on. */
  isInFlight(deviceId: string): boolean {
    return this.inFlight.has(deviceId);
  }

  get stopReason(): StopReason | undefined {
    return this.stopped;
  }

  /** Runs the devices and resolves when each has a final row (or was left to `stop`). */
  async execute(deviceIds: readonly string[]): Promise<void> {
    this.devices = [...deviceIds];
    const recorded: Promise<void>[] = [];
    await Promise.all(this.devices.map((deviceId) => this.deps.limiter.run(async () => {
      const ran = await this.runDevice(deviceId);
      if (ran) recorded.push(ran.recorded);
    })));
    await Promise.all(recorded);
  }

  /**
   * Stops taking devices; returns the rows for the devices that never started (none for `halt`, the hub stopping:
   * they stay pending and run after the restart).
   */
  stop(reason: StopReason): DeviceJobRecord[] {
    if (this.stopped !== undefined) return [];
    this.stopped = reason;
    if (reason === 'halt') return [];
    const time = this.deps.now();
    return this.devices
      .filter((deviceId) => !this.inFlight.has(deviceId) && !this.done.has(deviceId))
      .map((deviceId) =>
        reason === 'cancel'
          ? finalRow(deviceId, 'canceled', this.job.createdTime, time, null, null, null)
          : finalRow(deviceId, 'failed', this.job.createdTime, time, null, null, {
            code: 'JobExpired',
            description: `The job reached its maxExecutionTimeInSeconds (${this.job.maxExecutionTimeInSeconds}) before this device was run.`,
          }));
  }

  /**
   * Runs one device; resolves when its operation ended (freeing the limiter slot) with the promise of its row
   * being durable. The device counts as in flight until then.
   */
  private async runDevice(deviceId: string): Promise<{ recorded: Promise<void> } | undefined> {
    if (this.stopped !== undefined) return undefined;
    this.inFlight.add(deviceId);
    const started = this.deps.now();
    let row: DeviceJobRecord;
    try {
      const outcome = await this.apply(deviceId);
      row = finalRow(deviceId, 'completed', this.job.createdTime, this.deps.now(), started, outcome, null);
    } catch (error) {
      const code = isIotHubError(error) ? error.code : 'ServerError';
      const description = error instanceof Error ? error.message : String(error);
      row = finalRow(deviceId, 'failed', this.job.createdTime, this.deps.now(), started, null, { code, description });
    }
    // Wrapped: an async function returning a promise would wait for it, holding the limiter slot.
    const recorded = this.record(row).finally(() => {
      this.done.add(deviceId);
      this.inFlight.delete(deviceId);
    });
    // `execute` awaits this only once every device has run; until then a failed write (the hub stopping closes the
    // store under a pending flush) must not count as unhandled. `execute` still sees the rejection.
    recorded.catch(() => undefined);
    return { recorded };
  }

  /** Writes a device's final row together with the other rows finished in the same turn. */
  private record(row: DeviceJobRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.buffered.push({ row, done: { resolve, reject } });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      // One record per FLUSH_MS: the reducer copies a job's row map per record, so per-device records would make a
      // big job quadratic.
      setTimeout(() => {
        this.flushScheduled = false;
        const batch = this.buffered;
        this.buffered = [];
        this.deps.write([{ kind: 'jobDevicesPut', jobId: this.job.jobId, devices: batch.map((entry) => entry.row) }]).then(
          () => batch.forEach((entry) => entry.done.resolve()),
          (error: unknown) => batch.forEach((entry) => entry.done.reject(error)),
        );
      }, FLUSH_MS);
    });
  }

  private async apply(deviceId: string): Promise<JsonObject | null> {
    const ctx = this.deps.context(this.job);
    if (this.job.type === 'scheduleUpdateTwin') {
      const body = parseServiceTwinBody(this.job.updateTwin ?? {});
      await this.deps.twins.writeTwin(ctx, { deviceId }, body, 'merge');
      return null;
    }
    const method = this.job.cloudToDeviceMethod;
    if (method === null) throw new Error(`job ${this.job.jobId} has no method`);
    // Recorded as the job's call, so the traffic and the sequence diagram show who asked.
    const result = await this.deps.methods.invokeRecorded({ deviceId, ...method }, 'job');
    return { deviceMethodResponse: { status: result.status, payload: result.payload } };
  }
}

/** A device row at its end (or still pending, with `status` pending). */
export function finalRow(
  deviceId: string,
  status: DeviceJobRecord['status'],
  created: string,
  time: string,
  started: string | null,
  outcome: JsonObject | null,
  error: DeviceJobRecord['error'],
): DeviceJobRecord {
  const done = status !== 'pending' && status !== 'scheduled' && status !== 'running';
  return {
    deviceId,
    status,
    startTimeUtc: started,
    endTimeUtc: done ? time : null,
    createdDateTimeUtc: created,
    lastUpdatedDateTimeUtc: time,
    outcome,
    error,
  };
}
