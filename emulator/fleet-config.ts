import { DEFAULT_JOB_OPTIONS, type JobOptions } from './services/jobs/job-service.js';

/** Fleet features: scheduled jobs and automatic device management (configurations). Everything is optional. */
export interface FleetConfig {
  /** Job scheduler limits (README "Jobs"). */
  readonly jobs?: Partial<JobOptions>;
  /**
   * How often every configuration is re-evaluated against all twins and its metrics recomputed, in ms. IoT Hub does
   * this every 5 minutes; the emulator defaults to 5 s so results show at once. Twin tag and reported changes and
   * configuration writes are evaluated immediately anyway. 0 turns the timer off.
   */
  readonly configurationIntervalMs?: number;
}

/** The fleet configuration with defaults filled in. */
export interface ResolvedFleetConfig {
  readonly jobs: JobOptions;
  readonly configurationIntervalMs: number;
}

/** Fills in defaults and rejects impossible values with a message naming the field. */
export function resolveFleetConfig(config: FleetConfig = {}): ResolvedFleetConfig {
  const jobs = { ...DEFAULT_JOB_OPTIONS, ...config.jobs };
  for (const [name, value] of Object.entries(jobs)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`fleet.jobs.${name} must be a positive integer, got ${String(value)}`);
  }
  const configurationIntervalMs = config.configurationIntervalMs ?? 5000;
  if (!Number.isInteger(configurationIntervalMs) || configurationIntervalMs < 0) {
    throw new RangeError(`fleet.configurationIntervalMs must be an integer >= 0, got ${String(configurationIntervalMs)}`);
  }
  return { jobs, configurationIntervalMs };
}
