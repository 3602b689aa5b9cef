import { deviceAlreadyExists, deviceNotFound } from '../errors/catalogue.js';
import type { HubEventBus } from '../events.js';
import type { ConnectionState, DeviceRecord, DeviceStatus } from '../model/device.js';
import { NEVER } from '../model/device.js';
import type { HubState } from '../model/hub-state.js';
import type { EmulatorStore } from '../store/store.js';
import { freshSection } from '../twin/merge-section.js';
import type { RuntimeState } from '../twin/twin-views.js';
import { identityEtag } from '../twin/twin-views.js';
import type { Clock } from '../util/clock.js';
import { countPendingC2d } from './c2d-rules.js';
import { buildAuthentication, generationId, type AuthenticationInput } from './identity-fields.js';
import { checkDeviceId, checkIfMatch } from './identity-rules.js';

/** What a caller may set when creating or updating a device identity (typed at the edge, house-style H8). */
export interface DeviceInput {
  readonly deviceId: string;
  readonly status?: DeviceStatus;
  readonly statusReason?: string | null;
  readonly authentication?: AuthenticationInput;
  readonly capabilities?: { readonly iotEdge?: boolean };
}

interface LiveState {
  connections: number;
  lastActivityTime: string;
  /** When connectionState last changed (device JSON `connectionStateUpdatedTime`). */
  connectionStateUpdatedTime?: string;
}

/**
 * Device identity CRUD, keys, status and connection state (house-style H5: the only code that changes identities).
 */
export class RegistryService {
  private readonly live = new Map<string, LiveState>();

  constructor(
    private readonly state: HubState,
    private readonly store: EmulatorStore,
    private readonly clock: Clock,
    private readonly events: HubEventBus,
  ) {}

  /** Creates a device; keys missing or empty are generated. 409 if the id exists. */
  async create(input: DeviceInput): Promise<DeviceRecord> {
    const idError = checkDeviceId(input.deviceId);
    if (idError) throw idError;
    if (this.state.devices[input.deviceId]) throw deviceAlreadyExists(input.deviceId);
    const now = this.clock.now().toISOString();
    const record: DeviceRecord = {
      deviceId: input.deviceId,
      generationId: generationId(this.clock.now()),
      identityVersion: 1,
      status: input.status ?? 'enabled',
      statusReason: input.statusReason ?? null,
      statusUpdatedTime: NEVER,
      connectionStateUpdatedTime: NEVER,
      lastActivityTime: NEVER,
      authentication: buildAuthentication(input.authentication, undefined),
      capabilities: { iotEdge: input.capabilities?.iotEdge ?? false },
      twin: {
        tags: {},
        desired: freshSection(now, true),
        reported: freshSection(now, false),
        version: 1,
        modelId: '',
      },
    };
    await this.replace(input.deviceId, record);
    this.events.emit('deviceCreated', { deviceId: record.deviceId });
    return record;
  }

  /** The device, or 404 DeviceNotFound. */
  get(deviceId: string): DeviceRecord {
    const record = this.state.devices[deviceId];
    if (!record) throw deviceNotFound(deviceId);
    return record;
  }

  /** The device or undefined (for authentication, where a miss is not an error to send). */
  find(deviceId: string): DeviceRecord | undefined {
    return Object.hasOwn(this.state.devices, deviceId) ? this.state.devices[deviceId] : undefined;
  }

  /** All devices, at most `top` (1..1000, anything else means 1000; iothub-protocol.md §8.2). */
  list(top?: number): DeviceRecord[] {
    const limit = top !== undefined && top >= 1 && top <= 1000 ? Math.floor(top) : 1000;
    return Object.values(this.state.devices).slice(0, limit);
  }

  /** Every device record, for queries and exports. */
  all(): Iterable<DeviceRecord> {
    return Object.values(this.state.devices);
  }

  /** Updates status, keys, capabilities; `If-Match` checked against the identity etag. */
  async update(input: DeviceInput, ifMatch?: string): Promise<DeviceRecord> {
    const current = this.get(input.deviceId);
    const etagError = checkIfMatch(ifMatch, identityEtag(current));
    if (etagError) throw etagError;
    const now = this.clock.now().toISOString();
    const status = input.status ?? current.status;
    const record: DeviceRecord = {
      ...current,
      identityVersion: current.identityVersion + 1,
      status,
      statusReason: input.statusReason === undefined ? current.statusReason : input.statusReason,
      statusUpdatedTime: status !== current.status ? now : current.statusUpdatedTime,
      authentication: buildAuthentication(input.authentication, current.authentication),
      capabilities: { iotEdge: input.capabilities?.iotEdge ?? current.capabilities.iotEdge },
    };
    await this.replace(input.deviceId, record);
    this.events.emit('deviceUpdated', { deviceId: record.deviceId });
    return record;
  }

  /** Deletes the device and its twin. */
  async delete(deviceId: string, ifMatch?: string): Promise<void> {
    const current = this.get(deviceId);
    const etagError = checkIfMatch(ifMatch, identityEtag(current));
    if (etagError) throw etagError;
    await this.replace(deviceId, undefined);
    this.live.delete(deviceId);
    this.events.emit('deviceDeleted', { deviceId });
  }

  /**
   * Replaces (or removes) one device record and waits until that is durable; on a failed write the old record
   * is restored by the store's rollback.
   */
  async replace(deviceId: string, record: DeviceRecord | undefined): Promise<void> {
    const devices = this.state.devices;
    const previous = Object.hasOwn(devices, deviceId) ? devices[deviceId] : undefined;
    if (record) devices[deviceId] = record;
    else delete devices[deviceId];
    await this.store.commit(() => {
      if (previous) devices[deviceId] = previous;
      else delete devices[deviceId];
    });
  }

  /** Live facts shown in twins and device JSON. */
  runtime(deviceId: string): RuntimeState {
    const live = this.live.get(deviceId);
    const record = this.state.devices[deviceId];
    return {
      connectionState: live && live.connections > 0 ? 'Connected' : 'Disconnected',
      lastActivityTime: live?.lastActivityTime ?? record?.lastActivityTime ?? NEVER,
      cloudToDeviceMessageCount: countPendingC2d(this.state.c2dQueues[deviceId], this.clock.now()),
    };
  }

  /** When the device's connection state last changed; `0001-01-01T00:00:00Z` if never (§8.3). */
  connectionStateUpdatedTime(deviceId: string): string {
    return this.live.get(deviceId)?.connectionStateUpdatedTime ?? this.state.devices[deviceId]?.connectionStateUpdatedTime ?? NEVER;
  }

  /** An MQTT session for the device came up. */
  markConnected(deviceId: string): void {
    const live = this.liveOf(deviceId);
    live.connections += 1;
    live.lastActivityTime = this.clock.now().toISOString();
    if (live.connections === 1) this.emitConnection(deviceId, 'Connected');
  }

  /** An MQTT session for the device ended. */
  markDisconnected(deviceId: string): void {
    const live = this.live.get(deviceId);
    if (!live || live.connections === 0) return;
    live.connections -= 1;
    if (live.connections === 0) this.emitConnection(deviceId, 'Disconnected');
  }

  /** The device sent something. */
  touch(deviceId: string): void {
    this.liveOf(deviceId).lastActivityTime = this.clock.now().toISOString();
  }

  private liveOf(deviceId: string): LiveState {
    let live = this.live.get(deviceId);
    if (!live) {
      live = { connections: 0, lastActivityTime: this.state.devices[deviceId]?.lastActivityTime ?? NEVER };
      this.live.set(deviceId, live);
    }
    return live;
  }

  private emitConnection(deviceId: string, connectionState: ConnectionState): void {
    this.liveOf(deviceId).connectionStateUpdatedTime = this.clock.now().toISOString();
    this.events.emit('connectionStateChanged', { deviceId, connectionState });
  }
}
