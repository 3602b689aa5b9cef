import type { JsonObject } from '../model/json.js';
import type { BehaviourHost, DeviceChannel } from './behaviour-types.js';
import type { MethodRequest } from './device-link.js';
import type { DeviceModel } from './device-model.js';
import { DesiredReactor } from './desired-reactor.js';
import type { HeldDesiredChanges } from './held-desired.js';
import { MethodReactor } from './method-reactor.js';
import { report } from './run-steps.js';
import { ignoreCancelled, TaskScope } from './task-scope.js';

/**
 * Runs a device model over one connection: sync desired, report on start, then periodic reports and telemetry;
 * reacts to desired patches and methods. Pausing freezes it (timers stop, requests go unanswered, like a device
 * stopped in a debugger) while the connection stays up; resuming re-syncs with the twin.
 */
export class BehaviourRunner {
  private scope = new TaskScope();
  private desired: DesiredReactor;
  private methods: MethodReactor;
  private paused = false;
  private booted = false;

  constructor(
    private readonly model: DeviceModel,
    private readonly channel: DeviceChannel,
    private readonly host: BehaviourHost,
    private readonly held?: HeldDesiredChanges,
    private readonly now?: () => string,
  ) {
    this.desired = new DesiredReactor(model, channel, host, this.scope, held, now);
    this.methods = new MethodReactor(model, channel, host, this.scope);
  }

  /** Boot on a fresh connection: sync, `reported.onStart`, then the periodic timers. */
  async start(): Promise<void> {
    this.booted = true;
    await this.sync();
    if (this.scope.cancelled) return;
    if (this.model.onStart) await report(this.channel, this.host, this.model.onStart({}), 'on start');
    this.startTimers();
  }

  /** A desired notification from the hub. */
  onDesired(patch: JsonObject): void {
    if (!this.paused) this.desired.onPatch(patch);
  }

  /** A method request from the hub. */
  onMethod(request: MethodRequest): void {
    if (!this.paused) this.methods.onRequest(request);
  }

  /** "Apply" clicked: the held desired changes are applied and reported now (not while paused: resume re-syncs). */
  applyHeld(): void {
    if (!this.paused) this.desired.applyHeld();
  }

  /** Freezes the behaviour; in-flight reactions are abandoned (resume re-syncs). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.scope.cancel();
  }

  /** Unfreezes: a fresh scope, a re-sync with the twin, the timers again (no `onStart` unless it never booted). */
  async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    this.scope = new TaskScope();
    this.desired = new DesiredReactor(this.model, this.channel, this.host, this.scope, this.held, this.now);
    this.methods = new MethodReactor(this.model, this.channel, this.host, this.scope);
    // A device that connected paused has not booted yet.
    if (!this.booted) return this.start();
    await this.sync();
    if (!this.scope.cancelled) this.startTimers();
  }

  /** Stops everything for good (the connection is going away). */
  dispose(): void {
    this.paused = true;
    this.scope.cancel();
  }

  private async sync(): Promise<void> {
    if (!this.model.syncOnConnect) return;
    try {
      const twin = await this.channel.getTwin();
      if (!this.scope.cancelled) this.desired.sync(twin);
    } catch (error) {
      this.host.activity('error', `twin GET failed: ${(error as Error).message}`);
    }
  }

  private startTimers(): void {
    const scope = this.scope;
    if (scope.cancelled) return;
    for (const periodic of this.model.periodic) {
      scope.every(periodic.intervalMs, () => void report(this.channel, this.host, periodic.generate({}), `every ${periodic.intervalMs} ms`));
    }
    const telemetry = this.model.telemetry;
    if (telemetry) {
      scope.every(telemetry.intervalMs, () => {
        const body = JSON.stringify(telemetry.body({}));
        this.channel
          .sendTelemetry(body, telemetry.options)
          .then(() => this.host.activity('telemetry', body))
          .catch(ignoreCancelled((error) => this.host.activity('error', `telemetry failed: ${error.message}`)));
      });
    }
  }
}
