import type { DeviceSummary, EmulatorStatusDto, IpcError, TrafficEventDto, TwinStudioApi } from '../../main/contract/index.js';
import { TrafficBuffer } from '../features/traffic/traffic-buffer.js';
import { createStore, type Store } from './store.js';

/** The device list as loaded and kept current by pushes. */
export interface DevicesState {
  readonly status: 'loading' | 'ready' | 'error';
  readonly devices: ReadonlyMap<string, DeviceSummary>;
  readonly error?: IpcError;
}

/**
 * App-wide state that must outlive any one view: the hub status, the device list and the traffic buffer. It is
 * fed by the host's pushes; the host stays authoritative (house-style H18) — on every hub (re)start the lists are
 * reloaded rather than patched.
 */
export class StudioState {
  /** How often the host is asked for its status, so a stopped host shows within seconds (tests lower it). */
  static heartbeatMs = 2000;
  /**
   * Device pushes and activity are applied at most this often, in one copy of the list: registering or tagging
   * thousands of devices sends a push per device, and a copy plus a render per push froze the page.
   */
  static coalesceMs = 60;
  readonly status: Store<EmulatorStatusDto | undefined> = createStore<EmulatorStatusDto | undefined>(undefined);
  readonly devices: Store<DevicesState> = createStore<DevicesState>({ status: 'loading', devices: new Map() });
  readonly traffic = new TrafficBuffer();
  /** Why the host cannot be reached (stale token, host stopped), or undefined. */
  readonly connectionError: Store<IpcError | undefined> = createStore<IpcError | undefined>(undefined);
  /** Bumped when the traffic buffer changed. */
  readonly trafficRevision: Store<number> = createStore(0);
  private trafficWatermark = 0;
  private snapshotLoaded = false;
  private early: TrafficEventDto[] = [];
  /** True after a status poll failed: the next answer reloads everything, as when the hub came up. */
  private lost = false;
  /** Device rows waiting for the next flush (`undefined`: deleted), and newer activity times. */
  private pendingDevices = new Map<string, DeviceSummary | undefined>();
  private pendingActivity = new Map<string, string>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly api: TwinStudioApi) {}

  /** Subscribes to the pushes, signals ready, loads everything; returns the disposer. */
  start(): () => void {
    const disposers = [
      this.api.on('emulator.status', (status) => this.onStatus(status)),
      this.api.on('devices.changed', ({ deviceId, device }) => this.onDevice(deviceId, device)),
      this.api.on('traffic.batch', (events) => this.onTraffic(events)),
    ];
    this.api.ready();
    void this.refreshStatus();
    const heartbeat = setInterval(() => void this.refreshStatus(), StudioState.heartbeatMs);
    return () => {
      clearInterval(heartbeat);
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      disposers.forEach((dispose) => dispose());
    };
  }

  /** Reloads the device list from the hub. */
  async refreshDevices(): Promise<void> {
    const result = await this.api.devices.list({});
    // Pushes queued before the list was read are in it (or older than it).
    this.pendingDevices.clear();
    if (result.ok) this.devices.set({ status: 'ready', devices: new Map(result.value.map((device) => [device.deviceId, device])) });
    else this.devices.update((state) => ({ ...state, status: 'error', error: result.error }));
  }

  /** Empties the traffic view (the hub keeps its own recent buffer). */
  clearTraffic(): void {
    this.traffic.clear();
    this.trafficRevision.update((n) => n + 1);
  }

  private async refreshStatus(): Promise<void> {
    const result = await this.api.emulator.status({});
    if (result.ok) this.onStatus(result.value);
    else {
      this.lost = true;
      this.connectionError.set(result.error);
    }
  }

  private onStatus(status: EmulatorStatusDto): void {
    this.connectionError.set(undefined);
    // After the host was unreachable nothing pushed meanwhile can be trusted: reload as if the hub came up.
    const previous = this.lost ? undefined : this.status.get();
    this.lost = false;
    this.status.set(status);
    const cameUp = status.status === 'Running' && (previous?.status !== 'Running' || previous.info?.dataDir !== status.info?.dataDir);
    if (cameUp) {
      this.trafficWatermark = 0;
      void this.refreshDevices();
      void this.loadTrafficSnapshot();
    } else if (status.status !== 'Running' && status.status !== 'Starting') {
      this.devices.set({ status: 'ready', devices: new Map() });
    }
  }

  private onDevice(deviceId: string, device: DeviceSummary | undefined): void {
    this.pendingDevices.set(deviceId, device);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    // A big fleet costs more per update (a copy of the list, a re-sort): update it less often.
    const delay = this.devices.get().devices.size > 2000 ? StudioState.coalesceMs * 4 : StudioState.coalesceMs;
    this.flushTimer = setTimeout(() => this.flushDevices(), delay);
  }

  /** Applies every queued device row and activity time in one new map (one store update, one render). */
  flushDevices(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const rows = this.pendingDevices;
    const activity = this.pendingActivity;
    if (rows.size === 0 && activity.size === 0) return;
    this.pendingDevices = new Map();
    this.pendingActivity = new Map();
    this.devices.update((state) => {
      const devices = new Map(state.devices);
      for (const [deviceId, device] of rows) {
        if (device) devices.set(deviceId, device);
        else devices.delete(deviceId);
      }
      for (const [deviceId, time] of activity) {
        const device = devices.get(deviceId);
        if (device && time > device.lastActivityTime) devices.set(deviceId, { ...device, lastActivityTime: time });
      }
      return { ...state, devices };
    });
  }

  private async loadTrafficSnapshot(): Promise<void> {
    this.snapshotLoaded = false;
    const result = await this.api.traffic.snapshot({});
    const events = result.ok ? result.value : [];
    this.snapshotLoaded = true;
    const early = this.early;
    this.early = [];
    this.addTraffic([...events, ...early]);
  }

  private onTraffic(events: readonly TrafficEventDto[]): void {
    if (!this.snapshotLoaded) {
      this.early.push(...events);
      return;
    }
    this.addTraffic(events);
    this.touchDevices(events);
  }

  private addTraffic(events: readonly TrafficEventDto[]): void {
    // Snapshot and pushes overlap; the tap numbers events, so anything at or below the watermark was seen.
    const fresh = events.filter((event) => event.id > this.trafficWatermark);
    if (fresh.length === 0) return;
    this.trafficWatermark = Math.max(this.trafficWatermark, ...fresh.map((event) => event.id));
    this.traffic.add(fresh);
    this.trafficRevision.update((n) => n + 1);
  }

  /** Anything a device sent is activity; the list shows it without asking the hub again. */
  private touchDevices(events: readonly TrafficEventDto[]): void {
    let touched = false;
    for (const event of events) {
      if (event.direction !== 'in' || !event.deviceId) continue;
      const known = this.pendingActivity.get(event.deviceId);
      if (known === undefined || event.time > known) this.pendingActivity.set(event.deviceId, event.time);
      touched = true;
    }
    if (touched) this.scheduleFlush();
  }
}
