import { deviceAlreadyExists, deviceNotFound } from '../errors/catalogue.js';
import type { HubEventBus } from '../events.js';
import type { DeviceRecord, DeviceStatus, DeviceTransport } from '../model/device.js';
import { NEVER } from '../model/device.js';
import { freshSection } from '../twin/merge-section.js';
import type { RuntimeState } from '../twin/twin-views.js';
import { identityEtag } from '../twin/twin-views.js';
import type { Clock } from '../util/clock.js';
import { countPendingC2d } from './c2d-rules.js';
import type { ConnectionTracker } from './connection-tracker.js';
import type { RequestContext } from '../model/request-context.js';
import type { DevicePort } from './device-port.js';
import type { HubData } from './hub-data.js';
import { deviceOf } from '../state/state-lookups.js';
import { getOwn } from '../util/own-keys.js';
import { buildAuthentication, generationId, type AuthenticationInput } from './identity-fields.js';
import { checkDeviceId, checkIfMatch } from './identity-rules.js';
import { timeOf } from './request-contexts.js';

/** What a caller may set when creating or updating a device identity (typed at the edge, house-style H8). */
export interface DeviceInput {
  readonly deviceId: string;
  readonly status?: DeviceStatus;
  readonly statusReason?: string | null;
  readonly authentication?: AuthenticationInput;
  readonly capabilities?: { readonly iotEdge?: boolean };
}

/**
 * Device identity CRUD, keys, status and connection state (house-style H5: the only code that changes identities).
 */
export class RegistryService {
  constructor(
    private readonly data: HubData,
    private readonly connections: ConnectionTracker,
    private readonly clock: Clock,
    private readonly events: HubEventBus,
    private readonly devices: DevicePort,
  ) {}

  /** Creates a device; keys missing or empty are generated. 409 if the id exists. */
  create(input: DeviceInput, ctx?: RequestContext): Promise<DeviceRecord> {
    return this.data.retrying(async () => {
      const idError = checkDeviceId(input.deviceId);
      if (idError) throw idError;
      if (this.data.latestDevice(input.deviceId)) throw deviceAlreadyExists(input.deviceId);
      const now = timeOf(ctx, this.clock);
      const record: DeviceRecord = {
        deviceId: input.deviceId,
        generationId: generationId(new Date(now)),
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
      await this.put(record);
      this.events.emit('deviceCreated', { deviceId: record.deviceId, record });
      return record;
    });
  }

  /** The committed device, or 404 DeviceNotFound. */
  get(deviceId: string): DeviceRecord {
    const record = this.find(deviceId);
    if (!record) throw deviceNotFound(deviceId);
    return record;
  }

  /** The committed device or undefined (for authentication, where a miss is not an error to send). */
  find(deviceId: string): DeviceRecord | undefined {
    return deviceOf(this.data.committed, deviceId);
  }

  /** All devices, at most `top` (1..1000, anything else means 1000; iothub-protocol.md §8.2). */
  list(top?: number): DeviceRecord[] {
    const limit = top !== undefined && top >= 1 && top <= 1000 ? Math.floor(top) : 1000;
    const result: DeviceRecord[] = [];
    for (const record of this.all()) {
      if (result.length >= limit) break;
      result.push(record);
    }
    return result;
  }

  /** Every committed device record, for exports. */
  all(): Iterable<DeviceRecord> {
    return Object.values(this.data.committed.devices);
  }

  /** How many devices are registered (committed). */
  count(): number {
    return Object.keys(this.data.committed.devices).length;
  }

  /** Updates status, keys, capabilities; `If-Match` checked against the identity etag. */
  update(input: DeviceInput, ifMatch?: string, ctx?: RequestContext): Promise<DeviceRecord> {
    return this.data.retrying(async () => {
      const current = this.latest(input.deviceId);
      const etagError = checkIfMatch(ifMatch, identityEtag(current));
      if (etagError) throw etagError;
      const now = timeOf(ctx, this.clock);
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
      await this.put(record);
      // A disabled device (and its modules) loses its connection at once (iothub-protocol.md §8.3).
      if (record.status === 'disabled') this.devices.disconnect({ deviceId: record.deviceId });
      this.events.emit('deviceUpdated', { deviceId: record.deviceId });
      return record;
    });
  }

  /** Deletes the device with its twin, modules, C2D queue and twin change logs (one change record). */
  delete(deviceId: string, ifMatch?: string): Promise<void> {
    return this.data.retrying(async () => {
      const current = this.latest(deviceId);
      const etagError = checkIfMatch(ifMatch, identityEtag(current));
      if (etagError) throw etagError;
      await this.data.write([{ kind: 'deviceDeleted', deviceId }], [{ kind: 'device', deviceId, value: undefined }]);
      this.connections.forget({ deviceId });
      this.devices.disconnect({ deviceId });
      this.events.emit('deviceDeleted', { deviceId, record: current });
    });
  }

  /** The transport of the device's newest live connection (the studio shows it), undefined while disconnected. */
  connectedVia(deviceId: string): DeviceTransport | undefined {
    return this.connections.facts({ deviceId }).transport;
  }

  /** Live facts shown in twins and device JSON. */
  runtime(deviceId: string): RuntimeState {
    const facts = this.connections.facts({ deviceId });
    const committed = this.data.committed;
    return {
      connectionState: facts.connectionState,
      lastActivityTime: facts.lastActivityTime ?? deviceOf(committed, deviceId)?.lastActivityTime ?? NEVER,
      cloudToDeviceMessageCount: countPendingC2d(getOwn(committed.c2dQueues, deviceId), this.clock.now()),
    };
  }

  /** When the device's connection state last changed; `0001-01-01T00:00:00Z` if never (§8.3). */
  connectionStateUpdatedTime(deviceId: string): string {
    const facts = this.connections.facts({ deviceId });
    return facts.connectionStateUpdatedTime !== NEVER ? facts.connectionStateUpdatedTime : (this.find(deviceId)?.connectionStateUpdatedTime ?? NEVER);
  }

  /** The device as the next write sees it, or 404. */
  private latest(deviceId: string): DeviceRecord {
    const record = this.data.latestDevice(deviceId);
    if (!record) throw deviceNotFound(deviceId);
    return record;
  }

  private put(record: DeviceRecord): Promise<void> {
    return this.data.write([{ kind: 'devicePut', record }], [{ kind: 'device', deviceId: record.deviceId, value: record }]);
  }
}
