import { DeviceLink } from '../simulation/device-link.js';
import type { Random } from '../simulation/seeded-random.js';
import type { LoadMetrics } from './load-metrics.js';
import type { OperationMix } from './load-options.js';
import type { LoadTarget } from './load-target.js';

/**
 * One load device: a bare device link plus interval timers for its share of the mix. Open loop: operations start
 * on schedule whether or not earlier ones finished, so a hub that falls behind shows up as latency, not as a
 * politely slower generator.
 */
export class LoadDevice {
  private link: DeviceLink | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private sequence = 0;

  constructor(
    readonly deviceId: string,
    private readonly key: string,
    private readonly target: LoadTarget,
    private readonly metrics: LoadMetrics,
  ) {}

  /**
   * Connects; records the latency of the successful attempt (TLS + CONNACK + SUBACK) or the failure. A failed attempt
   * is retried up to twice after 1 s, like a device would, and counted in `connectRetry` so it stays visible.
   */
  async connect(desired: boolean, onDesired: (deviceId: string, patch: Record<string, unknown>) => void): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const error = await this.tryConnect(desired, onDesired);
      if (error === undefined) return true;
      if (attempt === 3) {
        this.metrics.failed('connect', error);
        return false;
      }
      this.metrics.failed('connectRetry', error);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  private async tryConnect(desired: boolean, onDesired: (deviceId: string, patch: Record<string, unknown>) => void): Promise<unknown> {
    const started = performance.now();
    try {
      this.link = await DeviceLink.open(
        {
          host: this.target.connectHost,
          port: this.target.pickPort(),
          hostName: this.target.hostName,
          deviceId: this.deviceId,
          sharedAccessKey: this.key,
          ca: this.target.ca,
          desired,
          methods: false,
          connectTimeoutMs: 60_000,
        },
        {
          onDesired: (patch) => onDesired(this.deviceId, patch),
          onLost: (error) => this.metrics.failed('connect', error ?? new Error('connection lost during the run')),
        },
      );
      this.metrics.succeeded('connect', performance.now() - started);
      return undefined;
    } catch (error) {
      return error;
    }
  }

  /** Starts the interval timers, each at a random phase so devices do not fire in lock-step. */
  startMix(mix: OperationMix, payload: string, random: Random): void {
    const schedule = (perSecond: number, operation: () => void) => {
      if (perSecond <= 0) return;
      const intervalMs = 1000 / perSecond;
      const first = setTimeout(() => {
        operation();
        this.timers.push(setInterval(operation, intervalMs));
      }, random() * intervalMs);
      this.timers.push(first);
    };
    schedule(mix.reported, () => this.measure('reported', () => this.link!.patchReported({ load: { seq: ++this.sequence, value: random() } })));
    schedule(mix.get, () => this.measure('get', () => this.link!.getTwin()));
    schedule(mix.telemetry, () => this.measure('telemetry', () => this.link!.sendTelemetry(payload, { contentType: 'application/json', contentEncoding: 'utf-8' })));
  }

  stopMix(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
  }

  async close(): Promise<void> {
    this.stopMix();
    await this.link?.close().catch(() => undefined);
  }

  private measure(operation: 'reported' | 'get' | 'telemetry', run: () => Promise<unknown>): void {
    if (!this.link?.connected) {
      this.metrics.failed(operation, new Error('not connected'));
      return;
    }
    const started = performance.now();
    this.metrics.inFlight++;
    run().then(
      () => {
        this.metrics.inFlight--;
        this.metrics.succeeded(operation, performance.now() - started);
      },
      (error: unknown) => {
        this.metrics.inFlight--;
        this.metrics.failed(operation, error);
      },
    );
  }
}
