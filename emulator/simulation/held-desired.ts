import type { JsonValue } from '../model/json.js';

/** A desired value the device received but has not applied yet ("apply on click"). */
export interface HeldDesired {
  readonly property: string;
  readonly value: JsonValue;
  /** The desired `$version` it came with, when known. */
  readonly version?: number;
  /** ISO time it arrived. */
  readonly receivedAt: string;
}

/**
 * "Apply on click" for one simulated device (issue 18, for teaching): while it is on, desired changes the device
 * receives (notifications and the re-sync after a reconnect) are kept here, newest value per property, instead of
 * being applied and reported; `take()` hands them to the reactor when the trainer clicks "apply". It lives with the
 * device, not the connection, so held values survive a reconnect; it is not persisted (a restart turns it off).
 * Unlike step-through (services/step-gate.ts), which holds the hub's messages before the device sees them, the
 * device here has the message: only its reaction waits.
 */
export class HeldDesiredChanges {
  private on = false;
  private readonly held = new Map<string, HeldDesired>();

  get enabled(): boolean {
    return this.on;
  }

  setEnabled(on: boolean): void {
    this.on = on;
  }

  /** Keeps `value` for `property`, replacing an older held value. */
  hold(change: HeldDesired): void {
    this.held.delete(change.property);
    this.held.set(change.property, change);
  }

  /** The held changes, oldest first. */
  list(): HeldDesired[] {
    return [...this.held.values()];
  }

  /** Removes and returns every held change, oldest first. */
  take(): HeldDesired[] {
    const all = this.list();
    this.held.clear();
    return all;
  }
}
