import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';

import { IotHubError } from '../client-kit.js';
import type { HubEmulator, Logger } from '../index.js';
import type { Clock } from '../util/clock.js';
import { listBuiltinProfiles, resolveProfile, type ProfileSummary } from './builtin-profiles.js';
import { createHubConnector } from './hub-connector.js';
import { parseProfile } from './parse-profile.js';
import { SimulationRuntime, type SimulationInfo } from './simulation-runtime.js';
import { putProfile, SIMULATIONS_FILE, SimulationStore, type RunState, type SimulationsDocument } from './simulation-store.js';
import { STATUS_HEARTBEAT_MS, StatusFile } from './status-file.js';
import { getOwn, setOwn } from '../util/own-keys.js';

/** Options of {@link createSimulationManager}. */
export interface SimulationManagerOptions {
  /** Folder of the built-in profiles; default `assets/profiles` found next to the code. */
  readonly profilesDir?: string;
  /** Host the devices dial; default the hub's host name (or its bind address when that is specific). */
  readonly connectHost?: string;
  /** How often to look for changes made by the `sim` CLI (besides file-system events). Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** How many devices connect at once when many start together. Default 50. */
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** What to simulate: a device id and a profile (a built-in name, a JSON file path, or the profile object). */
export interface CreateSimulationInput {
  readonly deviceId: string;
  readonly profile: string | object;
  /** Default `running`. */
  readonly runState?: RunState;
}

/** A change for the studio to show. */
export type SimulationEvent = { readonly type: 'changed'; readonly simulation: SimulationInfo } | { readonly type: 'removed'; readonly deviceId: string };

/**
 * Simulated devices of one hub: created from profiles, started, paused and stopped, and persisted in
 * `<dataDir>/simulations.json` so they come back after a restart. Changes made by the `sim` CLI while the manager
 * runs are picked up from that file; the live status goes to `simulations.status.json` for the CLI to show.
 * Create it after `hub.start()` and close it before `hub.stop()`.
 */
export class SimulationManager {
  private readonly runtime: SimulationRuntime;
  private readonly statusFile: StatusFile;
  private readonly listeners = new Set<(event: SimulationEvent) => void>();
  private readonly dirty = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private lastFileStamp = '';
  private closed = false;
  private readonly startedAt: string;

  private constructor(
    private readonly hub: HubEmulator,
    private readonly store: SimulationStore,
    private readonly options: SimulationManagerOptions,
    private readonly clock: Clock,
  ) {
    this.statusFile = new StatusFile(hub.info.dataDir);
    this.startedAt = clock.now().toISOString();
    this.runtime = new SimulationRuntime({
      connector: createHubConnector(hub, options.connectHost === undefined ? {} : { connectHost: options.connectHost }),
      clock,
      ensureRegistered: (deviceId) => this.ensureRegistered(deviceId),
      changed: (deviceId) => this.markDirty(deviceId),
      removed: (deviceId) => this.emit({ type: 'removed', deviceId }),
      concurrency: options.concurrency ?? 50,
    });
  }

  /** Loads the persisted simulations, starts those that were running, and starts watching for CLI changes. */
  static async open(hub: HubEmulator, options: SimulationManagerOptions = {}): Promise<SimulationManager> {
    const clock = options.clock ?? hub.config.clock;
    const store = new SimulationStore(hub.info.dataDir, { fsync: hub.config.fsync });
    const manager = new SimulationManager(hub, store, options, clock);
    await manager.applyLogged(await store.read());
    await manager.writeStatus();
    manager.watch();
    return manager;
  }

  /** Every simulated device, by device id. */
  list(): SimulationInfo[] {
    return this.runtime.list();
  }

  get(deviceId: string): SimulationInfo | undefined {
    return this.runtime.info(deviceId);
  }

  /** True when the device is driven by a simulation (for "simulated" badges in the studio). */
  isSimulated(deviceId: string): boolean {
    return this.runtime.info(deviceId) !== undefined;
  }

  /** The built-in profiles. */
  profiles(): Promise<ProfileSummary[]> {
    return listBuiltinProfiles(this.options.profilesDir);
  }

  /**
   * Validates the profile (ProfileError names each bad field), registers the device identity if it does not exist,
   * persists the simulation and starts it (unless `runState` says otherwise). 409-style Error if it exists.
   */
  async create(input: CreateSimulationInput): Promise<SimulationInfo> {
    const { profile, source } =
      typeof input.profile === 'string'
        ? await resolveProfile(input.profile, this.options.profilesDir)
        : { profile: parseProfile(input.profile), source: input.profile };
    await this.ensureRegistered(input.deviceId);
    const now = this.clock.now().toISOString();
    return this.change(input.deviceId, (document) => {
      if (Object.hasOwn(document.simulations, input.deviceId)) throw new Error(`a simulation for ${input.deviceId} already exists`);
      const profileKey = putProfile(document, profile.name, source);
      setOwn(document.simulations, input.deviceId, { deviceId: input.deviceId, profileKey, runState: input.runState ?? 'running', createdAt: now, updatedAt: now });
    });
  }

  /** Starts (or resumes) a simulated device; persisted. */
  start(deviceId: string): Promise<SimulationInfo> {
    return this.setRunState(deviceId, 'running');
  }

  /** Freezes a simulated device while it stays connected; persisted. */
  pause(deviceId: string): Promise<SimulationInfo> {
    return this.setRunState(deviceId, 'paused');
  }

  /** Disconnects a simulated device; persisted. */
  stop(deviceId: string): Promise<SimulationInfo> {
    return this.setRunState(deviceId, 'stopped');
  }

  /**
   * "Apply on click" (teaching, issue 18): while on, the device receives desired changes but applies and reports them
   * only on {@link applyDesired}; off applies what waits. Live only: not persisted, and a profile change or a restart
   * of the host turns it off.
   */
  setApplyOnClick(deviceId: string, on: boolean): SimulationInfo {
    this.runtime.device(deviceId).setApplyOnClick(on);
    return this.infoOf(deviceId);
  }

  /** Applies and reports the desired changes a device holds under "apply on click". */
  applyDesired(deviceId: string): SimulationInfo {
    this.runtime.device(deviceId).applyDesired();
    return this.infoOf(deviceId);
  }

  private infoOf(deviceId: string): SimulationInfo {
    const info = this.runtime.info(deviceId);
    if (!info) throw new Error(`no simulation for ${deviceId}`);
    return info;
  }

  /** Replaces a device's profile (validated first); a running device restarts with it. */
  async setProfile(deviceId: string, profileInput: string | object): Promise<SimulationInfo> {
    const { profile, source } =
      typeof profileInput === 'string' ? await resolveProfile(profileInput, this.options.profilesDir) : { profile: parseProfile(profileInput), source: profileInput };
    return this.change(deviceId, (document) => {
      const record = existing(document, deviceId);
      setOwn(document.simulations, deviceId, { ...record, profileKey: putProfile(document, profile.name, source), updatedAt: this.clock.now().toISOString() });
    });
  }

  /** Removes a simulation; with `deleteDevice` also its identity (and twin) from the registry. */
  async remove(deviceId: string, options: { deleteDevice?: boolean } = {}): Promise<void> {
    const { document } = await this.store.update((doc) => {
      existing(doc, deviceId);
      delete doc.simulations[deviceId];
    });
    await this.runtime.apply(document);
    if (options.deleteDevice && this.hub.registry.find(deviceId)) await this.hub.registry.delete(deviceId);
    await this.writeStatus();
  }

  /** Subscribes to changes (coalesced, at most every 250 ms per device); returns the disposer. */
  onChange(listener: (event: SimulationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Disconnects every simulated device (their persisted run states stay) and stops watching. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.close();
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.flushTimer);
    await this.runtime.stopAll();
    await this.statusFile.remove();
  }

  private setRunState(deviceId: string, runState: RunState): Promise<SimulationInfo> {
    return this.change(deviceId, (document) => {
      const record = existing(document, deviceId);
      setOwn(document.simulations, deviceId, { ...record, runState, updatedAt: this.clock.now().toISOString() });
    });
  }

  private async change(deviceId: string, edit: (document: SimulationsDocument) => void): Promise<SimulationInfo> {
    if (this.closed) throw new Error('the simulation manager is closed');
    const { document } = await this.store.update(edit);
    await this.runtime.apply(document);
    await this.writeStatus();
    const info = this.runtime.info(deviceId);
    if (!info) throw new Error(`simulation ${deviceId} vanished while being changed`);
    return info;
  }

  private async ensureRegistered(deviceId: string): Promise<void> {
    if (this.hub.registry.find(deviceId)) return;
    try {
      await this.hub.registry.create({ deviceId });
    } catch (error) {
      // Two creations racing for the same id: the other one won, which is what we wanted.
      if (!(error instanceof IotHubError && error.code === 'DeviceAlreadyExists')) throw error;
    }
  }

  private async applyLogged(document: SimulationsDocument): Promise<void> {
    try {
      await this.runtime.apply(document);
    } catch (error) {
      this.options.logger?.warn(`simulations: ${(error as Error).message}`);
    }
  }

  /** File-system events for speed, polling as the fallback (events are unreliable on network drives). */
  private watch(): void {
    try {
      this.watcher = watch(this.hub.info.dataDir, (_event, file) => {
        if (file === SIMULATIONS_FILE) void this.checkFile();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = undefined;
    }
    this.timers.push(setInterval(() => void this.checkFile(), this.options.pollIntervalMs ?? 1000));
    this.timers.push(setInterval(() => void this.writeStatus(), STATUS_HEARTBEAT_MS));
    for (const timer of this.timers) timer.unref();
  }

  private async checkFile(): Promise<void> {
    const info = await stat(this.store.filePath).catch(() => undefined);
    const stamp = info ? `${info.mtimeMs}:${info.size}:${info.ino}` : 'missing';
    if (stamp === this.lastFileStamp || this.closed) return;
    this.lastFileStamp = stamp;
    const document = await this.store.read().catch((error: unknown) => {
      this.options.logger?.warn(`simulations: cannot read ${this.store.filePath}: ${(error as Error).message}`);
      return undefined;
    });
    if (!document || document.revision <= this.runtime.appliedRevision) return;
    await this.applyLogged(document);
    await this.writeStatus();
  }

  private markDirty(deviceId: string): void {
    this.dirty.add(deviceId);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const ids = [...this.dirty];
      this.dirty.clear();
      for (const id of ids) {
        const simulation = this.runtime.info(id);
        if (simulation) this.emit({ type: 'changed', simulation });
      }
      void this.writeStatus();
    }, 250);
  }

  private emit(event: SimulationEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private async writeStatus(): Promise<void> {
    if (this.closed) return;
    let info;
    try {
      info = this.hub.info;
    } catch {
      // The hub was stopped before the manager was closed: nothing to report.
      return;
    }
    const devices = Object.fromEntries(
      this.runtime.list().map((simulation) => [
        simulation.deviceId,
        { ...simulation.status, profileName: simulation.profileName, ...(simulation.profileError ? { profileError: simulation.profileError } : {}) },
      ]),
    );
    await this.statusFile.write({
      host: { pid: process.pid, startedAt: this.startedAt, hostName: info.hostName, mqttsPort: info.ports.mqtts },
      appliedRevision: this.runtime.appliedRevision,
      // Wall-clock on purpose (not the injected clock): other processes judge liveness by it.
      updatedAt: new Date().toISOString(),
      devices,
    });
  }
}

function existing(document: SimulationsDocument, deviceId: string) {
  const record = getOwn(document.simulations, deviceId);
  if (!record) throw new Error(`there is no simulation for ${deviceId}`);
  return record;
}

/** Creates the simulation manager of a running hub (see {@link SimulationManager}). */
export function createSimulationManager(hub: HubEmulator, options: SimulationManagerOptions = {}): Promise<SimulationManager> {
  return SimulationManager.open(hub, options);
}
