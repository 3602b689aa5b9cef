import type { HubOutage } from './faults/fault-target.js';
import { startListeners, type ListenerDeps } from './hub-listeners.js';
import type { EmulatorInfo } from './emulator.js';

/**
 * The "hub down" fault (emulator/faults/): closes every listener, which destroys every socket on it, so devices and
 * back ends see refused connections; `up` binds the listeners again on the ports the hub had. The listeners array is
 * the running hub's own, so a stop while the hub is down closes whatever is open.
 */
export class ListenerOutage implements HubOutage {
  private down_ = false;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: ListenerDeps,
    private readonly ports: EmulatorInfo['ports'],
  ) {}

  get isDown(): boolean {
    return this.down_;
  }

  down(): Promise<void> {
    return this.serial(async () => {
      if (this.down_) return;
      this.down_ = true;
      const open = this.deps.listeners.splice(0);
      await Promise.all(open.map((listener) => listener.close()));
    });
  }

  up(): Promise<void> {
    return this.serial(async () => {
      if (!this.down_) return;
      const { mqtts, https, mqtt, amqps } = this.ports;
      await startListeners({ ...this.deps, config: { ...this.deps.config, ports: { ...this.deps.config.ports, mqtts, https, mqtt, amqps, httpsFallback: null } } });
      this.down_ = false;
    });
  }

  /** One transition at a time: a quick down-up-down keeps its order. */
  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.busy.then(step);
    this.busy = next.catch(() => undefined);
    return next;
  }
}
