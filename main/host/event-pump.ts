import type { HubEmulator, SimulationEvent, SimulationManager, TrafficEvent } from '../../emulator/index.js';
import type { DeviceChangeReason, PushChannel, Pushes } from '../contract/channels.js';
import type { SimulationDto, TrafficEventDto } from '../contract/dto.js';
import type { EmulatorHost } from '../emulator-host.js';
import { toDeviceSummary, toSimulationDto, toTrafficDto } from './dto-mappers.js';

/** Sends one push to every listening renderer. */
export type PushSink = <P extends PushChannel>(channel: P, payload: Pushes[P]) => void;

/** Batching of the pump (house-style H16). */
export interface PumpOptions {
  /** Flush at most this often. */
  readonly intervalMs?: number;
  /** Flush early once this many traffic events wait. */
  readonly maxBatch?: number;
  /** Traffic events kept while the sink is slow; the oldest are dropped beyond this. */
  readonly maxPending?: number;
}

interface TwinChange {
  readonly deviceId: string;
  readonly moduleId: string | undefined;
  readonly sections: Set<'tags' | 'desired' | 'reported'>;
  version: number;
}

/**
 * Forwards the hub's domain events to the renderer in batches: traffic as `traffic.batch`, device rows and twin
 * changes coalesced per device, and every status change at once. It follows the host across hub restarts.
 */
export class EventPump {
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private traffic: TrafficEventDto[] = [];
  private devices = new Map<string, DeviceChangeReason>();
  /** Keyed `deviceId` or `deviceId/moduleId` (a device id cannot contain `/`). */
  private twins = new Map<string, TwinChange>();
  /** Module identity changes, keyed like twins; the last reason wins except that a create stays a create. */
  private modules = new Map<string, { readonly deviceId: string; readonly moduleId: string; reason: Pushes['modules.changed']['reason'] }>();
  private simulations = new Map<string, SimulationDto | undefined>();
  /** Provisioning change kinds since the last flush (one push per flush). */
  private provisioning = new Set<string>();
  private simulationDisposer: (() => void) | undefined;
  /** Devices known to be simulated, so only a new or removed simulation changes the device row. */
  private simulated = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private hubDisposers: (() => void)[] = [];
  private readonly hostDisposers: (() => void)[];
  private hub: HubEmulator | undefined;

  constructor(
    private readonly host: EmulatorHost,
    private readonly sink: PushSink,
    options: PumpOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.maxBatch = options.maxBatch ?? 250;
    this.maxPending = options.maxPending ?? 2000;
    this.hostDisposers = [
      host.onHub((hub) => this.follow(hub)),
      host.onSimulations((manager) => this.followSimulations(manager)),
      host.onStatus((status) => this.sink('emulator.status', status)),
    ];
  }

  /** Sends whatever is waiting now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.traffic.length > 0) {
      const batch = this.traffic;
      this.traffic = [];
      this.sink('traffic.batch', batch);
    }
    const twins = this.twins;
    this.twins = new Map();
    for (const { deviceId, moduleId, sections, version } of twins.values()) {
      this.sink('twin.changed', { deviceId, ...(moduleId === undefined ? {} : { moduleId }), sections: [...sections], version });
    }
    const modules = this.modules;
    this.modules = new Map();
    for (const change of modules.values()) this.sink('modules.changed', { ...change });
    const simulations = this.simulations;
    this.simulations = new Map();
    for (const [deviceId, simulation] of simulations) this.sink('simulations.changed', simulation ? { deviceId, simulation } : { deviceId });
    const devices = this.devices;
    this.devices = new Map();
    for (const [deviceId, reason] of devices) this.sendDevice(deviceId, reason);
    if (this.provisioning.size > 0) {
      const kinds = [...this.provisioning];
      this.provisioning = new Set();
      this.sink('provisioning.changed', { kinds });
    }
  }

  /** Stops forwarding (pending events are dropped). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const dispose of [...this.hubDisposers, ...this.hostDisposers]) dispose();
    this.simulationDisposer?.();
    this.hubDisposers = [];
  }

  private follow(hub: HubEmulator): void {
    for (const dispose of this.hubDisposers) dispose();
    this.hub = hub;
    const { events } = hub;
    this.hubDisposers = [
      events.on('traffic', (event) => this.addTraffic(event)),
      events.on('deviceCreated', ({ deviceId }) => this.addDevice(deviceId, 'created')),
      events.on('deviceUpdated', ({ deviceId }) => this.addDevice(deviceId, 'updated')),
      events.on('deviceDeleted', ({ deviceId }) => this.addDevice(deviceId, 'deleted')),
      events.on('connectionStateChanged', ({ deviceId, moduleId }) => {
        if (moduleId === undefined) this.addDevice(deviceId, 'connection');
        else this.addModule(deviceId, moduleId, 'connection');
      }),
      events.on('moduleCreated', ({ deviceId, moduleId }) => this.addModule(deviceId, moduleId, 'created')),
      events.on('moduleDeleted', ({ deviceId, moduleId }) => this.addModule(deviceId, moduleId, 'deleted')),
      events.on('twinUpdated', ({ deviceId, moduleId, sections, version }) => this.addTwin(deviceId, moduleId, sections, version)),
      // Settlements are rare (one per C2D message): forwarded as they come.
      events.on('c2dSettled', ({ deviceId, messageId, outcome }) => this.sink('c2d.settled', { deviceId, messageId, outcome })),
      events.on('provisioningChanged', ({ kinds }) => {
        for (const kind of kinds) this.provisioning.add(kind);
        this.schedule();
      }),
    ];
  }

  private followSimulations(manager: SimulationManager): void {
    this.simulationDisposer?.();
    this.simulated = new Set(manager.list().map((info) => info.deviceId));
    this.simulationDisposer = manager.onChange((event) => this.addSimulation(event));
  }

  private addSimulation(event: SimulationEvent): void {
    const deviceId = event.type === 'changed' ? event.simulation.deviceId : event.deviceId;
    this.simulations.set(deviceId, event.type === 'changed' ? toSimulationDto(event.simulation) : undefined);
    // The device row's `simulated` flag follows creation and removal of its simulation, not every counter change.
    const isNew = event.type === 'changed' ? !this.simulated.has(deviceId) : this.simulated.has(deviceId);
    if (event.type === 'changed') this.simulated.add(deviceId);
    else this.simulated.delete(deviceId);
    if (isNew && !this.devices.has(deviceId)) this.devices.set(deviceId, 'updated');
    this.schedule();
  }

  private addTraffic(event: TrafficEvent): void {
    this.traffic.push(toTrafficDto(event));
    if (this.traffic.length > this.maxPending) this.traffic.splice(0, this.traffic.length - this.maxPending);
    if (this.traffic.length >= this.maxBatch) this.flush();
    else this.schedule();
  }

  private addDevice(deviceId: string, reason: DeviceChangeReason): void {
    // A delete wins over anything queued before it; a create stays a create when followed by updates.
    const queued = this.devices.get(deviceId);
    if (queued !== 'created' || reason === 'deleted') this.devices.set(deviceId, reason);
    this.schedule();
  }

  private addTwin(deviceId: string, moduleId: string | undefined, sections: readonly ('tags' | 'desired' | 'reported')[], version: number): void {
    const key = moduleId === undefined ? deviceId : `${deviceId}/${moduleId}`;
    const change = this.twins.get(key) ?? { deviceId, moduleId, sections: new Set(), version };
    for (const section of sections) change.sections.add(section);
    change.version = Math.max(change.version, version);
    this.twins.set(key, change);
    // A module twin's version is not the device row's.
    if (moduleId === undefined && !this.devices.has(deviceId)) this.devices.set(deviceId, 'twin');
    this.schedule();
  }

  private addModule(deviceId: string, moduleId: string, reason: Pushes['modules.changed']['reason']): void {
    const key = `${deviceId}/${moduleId}`;
    const queued = this.modules.get(key);
    if (queued?.reason !== 'created' || reason === 'deleted') this.modules.set(key, { deviceId, moduleId, reason });
    this.schedule();
  }

  private sendDevice(deviceId: string, reason: DeviceChangeReason): void {
    const hub = this.hub;
    const record = reason === 'deleted' || hub?.status !== 'Running' ? undefined : hub.registry.find(deviceId);
    const simulated = this.host.simulations?.get(deviceId) !== undefined;
    if (record && hub) this.sink('devices.changed', { deviceId, reason, device: toDeviceSummary(hub, record, simulated) });
    else this.sink('devices.changed', { deviceId, reason: 'deleted' });
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }
}
