import type { LoadDevice } from './load-device.js';
import type { LoadMetrics } from './load-metrics.js';
import type { LoadTarget } from './load-target.js';

/** Service-side desired patches at a fixed rate, and their arrival at the devices. */
export class DesiredFanout {
  private readonly sent = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sequence = 0;

  constructor(
    readonly target: LoadTarget,
    private readonly metrics: LoadMetrics,
  ) {}

  get pending(): number {
    return this.sent.size;
  }

  /** `perSecond` patches, sent in batches every 100 ms (fractions carried over), round-robin over `devices`. */
  start(devices: readonly LoadDevice[], perSecond: number): void {
    if (perSecond <= 0 || devices.length === 0) return;
    let credit = 0;
    let next = 0;
    let last = performance.now();
    this.timer = setInterval(() => {
      // Credit by elapsed time, not by tick: a busy event loop delays ticks, and the rate must not drop with them.
      const now = performance.now();
      credit += (perSecond * (now - last)) / 1000;
      last = now;
      for (; credit >= 1; credit--) {
        const device = devices[next++ % devices.length];
        if (device) this.send(device.deviceId);
      }
    }, 100);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A desired notification reached a device. */
  delivered(deviceId: string, patch: Record<string, unknown>): void {
    const sequence = (patch.loadFanout as { seq?: unknown } | undefined)?.seq;
    const key = `${deviceId}\n${String(sequence)}`;
    const started = this.sent.get(key);
    if (started === undefined) return;
    this.sent.delete(key);
    this.metrics.succeeded('desiredDelivery', performance.now() - started);
  }

  /** Whatever has not arrived by now counts as lost. */
  giveUp(): void {
    for (let i = 0; i < this.sent.size; i++) this.metrics.failed('desiredDelivery', new Error('desired patch not delivered to the device'));
    this.sent.clear();
  }

  private send(deviceId: string): void {
    const sequence = ++this.sequence;
    const started = performance.now();
    this.sent.set(`${deviceId}\n${sequence}`, started);
    this.metrics.inFlight++;
    this.target.patchDesired(deviceId, { loadFanout: { seq: sequence } }).then(
      () => {
        this.metrics.inFlight--;
        this.metrics.succeeded('desired', performance.now() - started);
      },
      (error: unknown) => {
        this.metrics.inFlight--;
        this.sent.delete(`${deviceId}\n${sequence}`);
        this.metrics.failed('desired', error);
      },
    );
  }
}
