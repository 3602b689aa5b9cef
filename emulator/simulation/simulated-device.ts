import type { Clock } from '../util/clock.js';
import type { ActivityKind, BehaviourHost, DeviceChannel } from './behaviour-types.js';
import { BehaviourRunner } from './behaviour-runner.js';
import type { DeviceLinkHandlers } from './device-link.js';
import { DeviceModel } from './device-model.js';
import { HeldDesiredChanges, type HeldDesired } from './held-desired.js';
import type { Profile } from './profile-schema.js';
import { randomFor, type Random } from './seeded-random.js';

/** Where a simulated device is in its life. */
export type SimulationState = 'stopped' | 'connecting' | 'running' | 'paused' | 'offline' | 'error';

/** Counters of what a simulated device did since its manager started. */
export interface SimulationCounters {
  connects: number;
  reported: number;
  telemetry: number;
  desiredApplied: number;
  desiredRejected: number;
  methodsAnswered: number;
  errors: number;
}

/** A snapshot of a simulated device's run-time status. */
export interface SimulationStatus {
  readonly state: SimulationState;
  /** ISO time of the last state change. */
  readonly since: string;
  /** When an offline device reconnects (schedule, fault, reboot step, retry). */
  readonly nextConnectAt?: string;
  readonly lastError?: string;
  readonly counters: Readonly<SimulationCounters>;
  /** Present while "apply on click" is on: the desired changes received and waiting for "apply", oldest first. */
  readonly applyOnClick?: { readonly held: readonly HeldDesired[] };
}

/** An open connection as the device uses it. */
export interface ConnectedLink extends DeviceChannel {
  close(): Promise<void>;
  drop(): void;
}

/** Opens connections for simulated devices (the manager's is bound to a hub; tests may fake it). */
export interface DeviceConnector {
  connect(deviceId: string, modelId: string | undefined, handlers: DeviceLinkHandlers): Promise<ConnectedLink>;
}

/** Options of {@link SimulatedDevice}. */
export interface SimulatedDeviceOptions {
  readonly clock: Clock;
  /** Called on every state change and after activity (the manager debounces). */
  readonly onChange?: (status: SimulationStatus) => void;
  readonly onActivity?: (kind: ActivityKind, detail: string) => void;
}

const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

/**
 * One simulated device: connects through a {@link DeviceConnector}, runs its profile, goes offline on schedule or on
 * purpose, reconnects (with backoff after failures), and can be paused, resumed and stopped at any moment.
 */
export class SimulatedDevice {
  readonly model: DeviceModel;
  private state: SimulationState = 'stopped';
  private since: string;
  private lastError: string | undefined;
  private nextConnectAt: string | undefined;
  private readonly counters: SimulationCounters = { connects: 0, reported: 0, telemetry: 0, desiredApplied: 0, desiredRejected: 0, methodsAnswered: 0, errors: 0 };
  private link: ConnectedLink | undefined;
  private runner: BehaviourRunner | undefined;
  private timers = new Set<NodeJS.Timeout>();
  private epoch = 0;
  private failures = 0;
  private wantPaused = false;
  private readonly jitter: Random;
  private readonly held = new HeldDesiredChanges();

  constructor(
    readonly deviceId: string,
    readonly profile: Profile,
    private readonly connector: DeviceConnector,
    private readonly options: SimulatedDeviceOptions,
  ) {
    this.model = new DeviceModel(profile, deviceId, options.clock);
    this.since = options.clock.now().toISOString();
    this.jitter = randomFor(profile.seed ?? 0, deviceId, 'faults.dropConnection');
  }

  get status(): SimulationStatus {
    return {
      state: this.state,
      since: this.since,
      ...(this.nextConnectAt ? { nextConnectAt: this.nextConnectAt } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      counters: { ...this.counters },
      ...(this.held.enabled ? { applyOnClick: { held: this.held.list() } } : {}),
    };
  }

  /**
   * "Apply on click" (teaching): while on, desired changes are received but neither applied nor reported until
   * {@link applyDesired}. Turning it off applies what waits. In memory only.
   */
  setApplyOnClick(on: boolean): void {
    this.held.setEnabled(on);
    if (!on) this.runner?.applyHeld();
    this.options.onChange?.(this.status);
  }

  /** Applies and reports every desired change held by "apply on click" (kept while paused or offline). */
  applyDesired(): void {
    this.runner?.applyHeld();
    this.options.onChange?.(this.status);
  }

  /** Starts (from stopped) or resumes (from paused). Resolves once the first connection attempt has ended. */
  async start(): Promise<void> {
    this.wantPaused = false;
    if (this.state === 'paused' && this.runner) {
      this.setState('running');
      this.scheduleDisconnects(this.epoch);
      await this.runner.resume();
      return;
    }
    if (this.state === 'running' || this.state === 'connecting') return;
    // From stopped, or cutting short a retry wait (error) or an offline period.
    const epoch = ++this.epoch;
    this.clearTimers();
    await this.connect(epoch);
  }

  /**
   * Freezes the device while it stays connected. From stopped it connects and is frozen at once; an offline device
   * is frozen when it reconnects.
   */
  async pause(): Promise<void> {
    this.wantPaused = true;
    if (this.state === 'stopped') {
      await this.connect(++this.epoch);
      return;
    }
    if (this.state !== 'running') return;
    this.runner?.pause();
    this.clearTimers();
    this.setState('paused');
  }

  /** Disconnects gracefully and stays stopped. */
  async stop(): Promise<void> {
    this.epoch++;
    this.wantPaused = false;
    this.clearTimers();
    this.runner?.dispose();
    this.runner = undefined;
    const link = this.link;
    this.link = undefined;
    this.nextConnectAt = undefined;
    this.setState('stopped');
    await link?.close().catch(() => undefined);
  }

  private async connect(epoch: number): Promise<void> {
    this.nextConnectAt = undefined;
    this.setState('connecting');
    let link: ConnectedLink;
    try {
      link = await this.connector.connect(this.deviceId, this.profile.modelId, {
        onDesired: (patch) => this.runner?.onDesired(patch),
        onMethod: (request) => this.runner?.onMethod(request),
        onLost: (error) => this.onLost(epoch, error),
      });
    } catch (error) {
      if (epoch !== this.epoch) return;
      this.lastError = (error as Error).message;
      this.counters.errors++;
      this.retryLater(epoch, RETRY_MS[Math.min(this.failures++, RETRY_MS.length - 1)] ?? 30_000, 'error');
      return;
    }
    if (epoch !== this.epoch) {
      await link.close().catch(() => undefined);
      return;
    }
    this.failures = 0;
    this.lastError = undefined;
    this.counters.connects++;
    this.link = link;
    this.runner = new BehaviourRunner(this.model, link, this.host(epoch), this.held, () => this.options.clock.now().toISOString());
    if (this.wantPaused) {
      this.runner.pause();
      this.setState('paused');
      return;
    }
    this.setState('running');
    this.options.onActivity?.('connection', 'connected');
    this.scheduleDisconnects(epoch);
    await this.runner.start();
  }

  private host(epoch: number): BehaviourHost {
    return {
      activity: (kind, detail) => {
        if (epoch !== this.epoch) return;
        this.count(kind, detail);
        this.options.onActivity?.(kind, detail);
        this.options.onChange?.(this.status);
      },
      goOffline: (offlineMs, mode, reason) => {
        if (epoch === this.epoch) this.goOffline(offlineMs, mode, reason);
      },
    };
  }

  private count(kind: ActivityKind, detail: string): void {
    switch (kind) {
      case 'reported':
      case 'telemetry':
      case 'desiredApplied':
      case 'desiredRejected':
        this.counters[kind]++;
        break;
      case 'methodAnswered':
        this.counters.methodsAnswered++;
        break;
      case 'error':
        this.counters.errors++;
        this.lastError = detail;
        break;
      case 'methodIgnored':
      case 'desiredHeld':
      case 'connection':
        break;
    }
  }

  /** The online/offline schedule and the drop-connection fault, both counted from this connection. */
  private scheduleDisconnects(epoch: number): void {
    const { connectivity, faults } = this.profile;
    if (connectivity) {
      this.after(connectivity.onlineMs, () => {
        if (epoch === this.epoch) this.goOffline(connectivity.offlineMs, connectivity.mode ?? 'graceful', 'connectivity schedule');
      });
    }
    const drop = faults?.dropConnection;
    if (drop) {
      const jitter = drop.jitterMs ? Math.round((this.jitter() * 2 - 1) * drop.jitterMs) : 0;
      this.after(Math.max(0, drop.everyMs + jitter), () => {
        if (epoch === this.epoch) this.goOffline(drop.offlineMs, 'drop', 'fault: drop connection');
      });
    }
  }

  private goOffline(offlineMs: number, mode: 'graceful' | 'drop', reason: string): void {
    const epoch = ++this.epoch;
    this.clearTimers();
    this.runner?.dispose();
    this.runner = undefined;
    const link = this.link;
    this.link = undefined;
    if (mode === 'drop') link?.drop();
    else void link?.close().catch(() => undefined);
    this.options.onActivity?.('connection', `offline for ${offlineMs} ms (${reason})`);
    this.retryLater(epoch, offlineMs, 'offline');
  }

  private onLost(epoch: number, error: Error | undefined): void {
    if (epoch !== this.epoch) return;
    const next = ++this.epoch;
    this.clearTimers();
    this.runner?.dispose();
    this.runner = undefined;
    this.link = undefined;
    this.lastError = `connection lost${error ? `: ${error.message}` : ''}`;
    this.counters.errors++;
    this.retryLater(next, RETRY_MS[0] ?? 1000, 'offline');
  }

  private retryLater(epoch: number, delayMs: number, state: 'offline' | 'error'): void {
    this.nextConnectAt = new Date(this.options.clock.now().getTime() + delayMs).toISOString();
    this.setState(state);
    this.after(delayMs, () => {
      if (epoch === this.epoch) void this.connect(epoch);
    });
  }

  private after(ms: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, ms);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private setState(state: SimulationState): void {
    if (state !== this.state) {
      this.state = state;
      this.since = this.options.clock.now().toISOString();
    }
    this.options.onChange?.(this.status);
  }
}
