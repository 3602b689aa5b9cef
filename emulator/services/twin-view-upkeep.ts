import type { HubEventBus } from '../events.js';
import type { HubChange } from '../model/changes.js';
import type { HubState } from '../model/hub-state.js';
import type { TwinAddress } from '../model/twin-address.js';
import { addressOfKey, twinKey } from '../model/twin-address.js';
import type { EmulatorStore } from '../store/store.js';
import { serviceTwin, type RuntimeState } from '../twin/twin-views.js';
import type { TwinViewIndex } from '../views/twin-view-index.js';
import { ownerOf } from '../state/state-lookups.js';

/** Twins built per background step when the index is filled at start. */
const FILL_STEP = 2_000;

/**
 * Keeps the query index (`emulator/views`) equal to the committed state, one twin at a time: every durable change
 * batch re-builds the service view of exactly the twins it touched, and a connection-state change re-builds that
 * identity's view. At start the index is filled in the background, a step at a time, so a hub with 100k twins is
 * ready at once; a query that arrives earlier completes the fill first (`ensureComplete`).
 *
 * `lastActivityTime` in a query row is refreshed with the identity's next change or connection-state change, not
 * on every message (IoT Hub documents it as not updated in real time either); `GET /twins/{id}` is always exact.
 */
export class TwinViewUpkeep {
  private pending: string[] | undefined;
  private readonly disposers: (() => void)[];

  constructor(
    private readonly state: HubState,
    readonly index: TwinViewIndex,
    private readonly runtime: (address: TwinAddress) => RuntimeState,
    store: EmulatorStore,
    events: HubEventBus,
  ) {
    this.disposers = [
      store.onCommitted(({ changes }) => this.applyBatch(changes)),
      events.on('connectionStateChanged', ({ deviceId, moduleId }) => this.refresh(moduleId === undefined ? { deviceId } : { deviceId, moduleId })),
    ];
    this.pending = this.allKeys();
    this.scheduleFill();
  }

  /** Builds every view not yet built (a query is about to run). */
  ensureComplete(): void {
    while (this.pending && this.pending.length > 0) this.fillStep(Number.MAX_SAFE_INTEGER);
    this.pending = undefined;
  }

  close(): void {
    for (const dispose of this.disposers) dispose();
    this.pending = undefined;
  }

  private applyBatch(changes: readonly HubChange[]): void {
    const touched = new Set<string>();
    for (const change of changes) {
      const key = keyOf(change);
      if (key !== undefined) touched.add(key);
    }
    for (const key of touched) this.refresh(addressOfKey(key));
  }

  /** Re-builds one twin's view from the committed state, or removes it (with a device's modules) when gone. */
  private refresh(address: TwinAddress): void {
    const key = twinKey(address);
    const owner = ownerOf(this.state, address);
    if (owner) this.index.upsert(key, serviceTwin(owner, this.runtime(address)));
    else if (address.moduleId === undefined) this.index.removeDevice(address.deviceId);
    else this.index.remove(key);
  }

  private allKeys(): string[] {
    const keys = Object.keys(this.state.devices);
    for (const [deviceId, modules] of Object.entries(this.state.modules)) {
      for (const moduleId of Object.keys(modules)) keys.push(twinKey({ deviceId, moduleId }));
    }
    return keys.reverse();
  }

  private scheduleFill(): void {
    setImmediate(() => {
      if (!this.pending) return;
      this.fillStep(FILL_STEP);
      if (this.pending.length > 0) this.scheduleFill();
      else this.pending = undefined;
    });
  }

  private fillStep(count: number): void {
    const pending = this.pending ?? [];
    for (let i = 0; i < count && pending.length > 0; i++) {
      const key = pending.pop() as string;
      if (this.index.get(key) === undefined) this.refresh(addressOfKey(key));
    }
  }
}

/** The twin a change touches (its view shows it), or undefined. */
function keyOf(change: HubChange): string | undefined {
  switch (change.kind) {
    case 'devicePut':
      return change.record.deviceId;
    case 'deviceDeleted':
      return change.deviceId;
    case 'modulePut':
      return twinKey(change.record);
    case 'moduleDeleted':
      return twinKey(change);
    case 'twinWritten':
    case 'modelIdSet':
    case 'twinConfigurationsSet':
      return twinKey(change.target);
    case 'c2dEnqueued':
    case 'c2dRemoved':
      // cloudToDeviceMessageCount
      return change.deviceId;
    default:
      return undefined;
  }
}
