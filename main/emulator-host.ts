import {
  createEmulator, createSimulationManager, noopLogger, type EmulatorConfig, type HubEmulator, type Logger, type SimulationManager,
} from '../emulator/index.js';
import type { EmulatorStatusDto, StudioSettings } from './contract/dto.js';
import { StudioError } from './host/studio-error.js';
import type { SettingsStore } from './settings/settings-store.js';

/** How the host was started. */
export interface EmulatorHostOptions {
  readonly settings: SettingsStore;
  readonly hostKind: 'electron' | 'browser';
  readonly logger?: Logger;
  /** Emulator options that are not user settings (bind address, grace periods, fsync …). */
  readonly emulatorConfig?: Omit<EmulatorConfig, 'ports' | 'dataDir' | 'persistence' | 'logger'>;
  /** Host simulated devices (default true); the studio owns the hub's SimulationManager. */
  readonly simulations?: boolean;
}

type Listener<T> = (value: T) => void;

/**
 * Owns the embedded hub (house-style H4, §7 `emulator-host.ts`): starts it from the settings, restarts it with new
 * settings, stops it on quit. The hub runs in this process: one less process and IPC hop, and the emulator's
 * front door stays the same should it move to a utility process later. Start/stop calls are serialised.
 */
export class EmulatorHost {
  private hub: HubEmulator | undefined;
  private manager: SimulationManager | undefined;
  private lastError: string | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly statusListeners = new Set<Listener<EmulatorStatusDto>>();
  private readonly hubListeners = new Set<Listener<HubEmulator>>();
  private readonly simulationListeners = new Set<Listener<SimulationManager>>();
  private readonly logger: Logger;

  constructor(private readonly options: EmulatorHostOptions) {
    this.logger = options.logger ?? noopLogger;
  }

  get settings(): SettingsStore {
    return this.options.settings;
  }

  /** Starts the hub; a failure is kept and shown in the status instead of thrown. */
  start(): Promise<EmulatorStatusDto> {
    return this.serialise(() => this.startNow());
  }

  /** Stops the hub; pending writes are flushed before this resolves. */
  stop(): Promise<void> {
    return this.serialise(() => this.stopNow());
  }

  /** Saves new settings and restarts the hub with them. */
  applySettings(settings: StudioSettings): Promise<EmulatorStatusDto> {
    return this.serialise(async () => {
      await this.options.settings.save(settings);
      await this.stopNow();
      return this.startNow();
    });
  }

  /** The running hub, or a HubNotRunning error for the caller's envelope. */
  requireRunning(): HubEmulator {
    const hub = this.hub;
    if (!hub || hub.status !== 'Running') {
      throw new StudioError('HubNotRunning', this.lastError ? `The hub is not running: ${this.lastError}` : 'The hub is not running.');
    }
    return hub;
  }

  /** The simulator of the running hub, when it could be started. */
  get simulations(): SimulationManager | undefined {
    return this.hub?.status === 'Running' ? this.manager : undefined;
  }

  /** The status bar's view of the hub. */
  status(): EmulatorStatusDto {
    const hub = this.hub;
    const status = hub?.status ?? 'Stopped';
    const running = hub !== undefined && status === 'Running';
    return {
      status,
      info: running ? { ...hub.info, ports: { ...hub.info.ports }, addresses: [...hub.info.addresses], warnings: [...hub.info.warnings], eventHub: { ...hub.info.eventHub } } : null,
      features: { query: true, methods: true, c2d: true, simulation: running && this.manager !== undefined },
      host: this.options.hostKind,
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  /** Status changes (Starting, Running, Stopping, Stopped). */
  onStatus(listener: Listener<EmulatorStatusDto>): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** A simulator was started for the running hub (after every hub start). */
  onSimulations(listener: Listener<SimulationManager>): () => void {
    this.simulationListeners.add(listener);
    if (this.manager) listener(this.manager);
    return () => this.simulationListeners.delete(listener);
  }

  /** A new hub instance was created (before it starts), so event forwarders can subscribe to its bus. */
  onHub(listener: Listener<HubEmulator>): () => void {
    this.hubListeners.add(listener);
    if (this.hub) listener(this.hub);
    return () => this.hubListeners.delete(listener);
  }

  private async startNow(): Promise<EmulatorStatusDto> {
    if (this.hub?.status === 'Running') return this.status();
    const { ports, dataDir, persistence, reach, tier, lenient } = this.options.settings.settings;
    let hub: HubEmulator;
    try {
      hub = createEmulator({
        ...this.options.emulatorConfig,
        // "This computer only" is loopback; "my network" keeps the default (every interface).
        ...(reach === 'thisComputer' ? { bindAddress: '127.0.0.1' } : {}),
        ports: { ...ports, ...(ports.https === 443 ? {} : { httpsFallback: null }) },
        dataDir,
        persistence,
        ...(tier ? { tier: { name: tier.name, units: tier.units } } : {}),
        ...(lenient ? { lenient: true } : {}),
        logger: this.logger,
      });
    } catch (error) {
      // A setting the hub refuses (e.g. more units than the tier has) leaves it stopped with the reason shown.
      this.lastError = error instanceof Error ? error.message : String(error);
      this.emitStatus();
      return this.status();
    }
    this.hub = hub;
    this.lastError = undefined;
    for (const listener of this.hubListeners) listener(hub);
    const started = hub.start();
    this.emitStatus();
    try {
      await started;
      await this.startSimulations(hub);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.logger.error(`the hub could not start: ${this.lastError}`);
    }
    this.emitStatus();
    return this.status();
  }

  /** Resumes the simulations persisted in the data folder; a failure leaves the hub running without them. */
  private async startSimulations(hub: HubEmulator): Promise<void> {
    if (this.options.simulations === false) return;
    try {
      this.manager = await createSimulationManager(hub, { logger: this.logger });
      for (const listener of this.simulationListeners) listener(this.manager);
    } catch (error) {
      this.logger.warn(`simulated devices are unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async stopNow(): Promise<void> {
    const hub = this.hub;
    if (!hub || hub.status !== 'Running') return;
    // Simulated devices disconnect first (their run states stay persisted), then the hub flushes and stops.
    const manager = this.manager;
    this.manager = undefined;
    await manager?.close().catch((error: unknown) => this.logger.warn(`closing the simulations failed: ${String(error)}`));
    const stopped = hub.stop();
    this.emitStatus();
    await stopped;
    this.emitStatus();
  }

  private emitStatus(): void {
    const status = this.status();
    for (const listener of this.statusListeners) listener(status);
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
