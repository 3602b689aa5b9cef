import type { Clock } from '../util/clock.js';
import { runBounded } from './run-bounded.js';
import { checkProfile, formatIssue } from './parse-profile.js';
import type { Profile } from './profile-schema.js';
import { SimulatedDevice, type DeviceConnector, type SimulationStatus } from './simulated-device.js';
import type { RunState, SimulationRecord, SimulationsDocument } from './simulation-store.js';

/** A simulated device as the studio and the CLI list it. */
export interface SimulationInfo {
  readonly deviceId: string;
  /** `name` of its profile. */
  readonly profileName: string;
  /** What was asked (persisted). */
  readonly runState: RunState;
  /** What is happening now. */
  readonly status: SimulationStatus;
  /** Set when the stored profile no longer validates (the device cannot run). */
  readonly profileError?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface Entry {
  record: SimulationRecord;
  readonly profile: Profile | undefined;
  readonly profileError: string | undefined;
  readonly device: SimulatedDevice | undefined;
  /** Why the device could not be started (its identity could not be registered). */
  problem?: string;
}

/** What the runtime needs from its owner. */
export interface SimulationRuntimeDeps {
  readonly connector: DeviceConnector;
  readonly clock: Clock;
  /** Makes sure the device identity exists before it connects. */
  readonly ensureRegistered: (deviceId: string) => Promise<void>;
  /** A device's status or run state changed. */
  readonly changed: (deviceId: string) => void;
  readonly removed: (deviceId: string) => void;
  /** How many devices start at once when many are applied together. */
  readonly concurrency: number;
}

/**
 * The running side of the simulations: makes the live devices match a `simulations.json` document (create, replace
 * on profile change, start/pause/stop, remove), one document at a time and never going back to an older revision.
 */
export class SimulationRuntime {
  private readonly entries = new Map<string, Entry>();
  private applied = -1;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SimulationRuntimeDeps) {}

  /** The highest revision applied so far. */
  get appliedRevision(): number {
    return this.applied;
  }

  /** Applies `document` after any earlier one; older or equal revisions are ignored. */
  apply(document: SimulationsDocument): Promise<void> {
    const next = this.queue.then(() => (document.revision > this.applied ? this.reconcile(document) : undefined));
    this.queue = next.catch(() => undefined);
    return next;
  }

  info(deviceId: string): SimulationInfo | undefined {
    const entry = this.entries.get(deviceId);
    if (!entry) return undefined;
    const { record, profile, profileError, device } = entry;
    const problem = profileError ?? entry.problem;
    const status = device?.status;
    return {
      deviceId,
      profileName: profile?.name ?? record.profileKey,
      runState: record.runState,
      status:
        status && !(problem && status.state === 'stopped')
          ? status
          : { state: problem ? 'error' : 'stopped', since: record.updatedAt, ...(problem ? { lastError: problem } : {}), counters: status?.counters ?? zeroCounters() },
      ...(profileError ? { profileError } : {}),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  /** The live device of a simulation; an Error naming why there is none. */
  device(deviceId: string): SimulatedDevice {
    const entry = this.entries.get(deviceId);
    if (!entry) throw new Error(`no simulation for ${deviceId}`);
    if (!entry.device) throw new Error(`simulation ${deviceId} cannot run: ${entry.profileError ?? entry.problem ?? 'no device'}`);
    return entry.device;
  }

  list(): SimulationInfo[] {
    return [...this.entries.keys()].sort().flatMap((id) => this.info(id) ?? []);
  }

  /** Stops every device (run states stay as persisted). */
  async stopAll(): Promise<void> {
    await this.queue;
    await runBounded([...this.entries.values()].map((entry) => () => entry.device?.stop() ?? Promise.resolve()), this.deps.concurrency);
  }

  private async reconcile(document: SimulationsDocument): Promise<void> {
    const tasks: (() => Promise<void>)[] = [];
    for (const [deviceId, entry] of this.entries) {
      if (Object.hasOwn(document.simulations, deviceId)) continue;
      this.entries.delete(deviceId);
      tasks.push(async () => {
        await entry.device?.stop();
        this.deps.removed(deviceId);
      });
    }
    for (const [deviceId, record] of Object.entries(document.simulations)) {
      const entry = this.entries.get(deviceId);
      if (entry && entry.record.profileKey === record.profileKey) {
        if (entry.record.runState !== record.runState || entry.record.updatedAt !== record.updatedAt) {
          entry.record = record;
          tasks.push(() => this.applyRunState(entry));
        }
        continue;
      }
      const fresh = this.build(record, document.profiles[record.profileKey]);
      this.entries.set(deviceId, fresh);
      tasks.push(async () => {
        await entry?.device?.stop();
        await this.applyRunState(fresh);
      });
    }
    try {
      await runBounded(tasks, this.deps.concurrency);
    } finally {
      // Failures are shown per device; re-applying the same revision would only repeat them.
      this.applied = document.revision;
    }
  }

  private build(record: SimulationRecord, source: unknown): Entry {
    const checked = checkProfile(source);
    if (!checked.ok) {
      const profileError = `stored profile ${record.profileKey} is invalid: ${checked.issues.map(formatIssue).join('; ')}`;
      return { record, profile: undefined, profileError, device: undefined };
    }
    const device = new SimulatedDevice(record.deviceId, checked.profile, this.deps.connector, {
      clock: this.deps.clock,
      onChange: () => this.deps.changed(record.deviceId),
    });
    return { record, profile: checked.profile, profileError: undefined, device };
  }

  private async applyRunState(entry: Entry): Promise<void> {
    const { device, record } = entry;
    this.deps.changed(record.deviceId);
    if (!device) return;
    entry.problem = undefined;
    if (record.runState === 'stopped') return device.stop();
    try {
      await this.deps.ensureRegistered(record.deviceId);
    } catch (error) {
      entry.problem = `could not register the device: ${(error as Error).message}`;
      await device.stop();
      this.deps.changed(record.deviceId);
      throw error;
    }
    if (record.runState === 'running') await device.start();
    else await device.pause();
  }
}

function zeroCounters(): SimulationStatus['counters'] {
  return { connects: 0, reported: 0, telemetry: 0, desiredApplied: 0, desiredRejected: 0, methodsAnswered: 0, errors: 0 };
}
