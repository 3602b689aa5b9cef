import type { HubEventBus } from '../events.js';
import type { ConnectionState, DeviceTransport } from '../model/device.js';
import { NEVER } from '../model/device.js';
import type { TwinAddress } from '../model/twin-address.js';
import { twinKey } from '../model/twin-address.js';
import type { Clock } from '../util/clock.js';

interface Live {
  connections: number;
  /** The transport of the newest live session. */
  transport?: DeviceTransport;
  lastActivityTime: string;
  connectionStateUpdatedTime: string;
}

/** Live facts about a device or module identity that are not persisted. */
export interface ConnectionFacts {
  readonly connectionState: ConnectionState;
  /** Undefined when nothing was seen since the hub started (the record's persisted value applies). */
  readonly lastActivityTime: string | undefined;
  readonly connectionStateUpdatedTime: string;
  /** The transport of the newest live session; undefined while disconnected. */
  readonly transport?: DeviceTransport;
}

/**
 * One connection-state tracker for devices and modules alike (addressed like twins): counts live sessions per
 * identity, stamps activity, and raises `connectionStateChanged` on the first connect and the last disconnect.
 */
export class ConnectionTracker {
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly clock: Clock,
    private readonly events: HubEventBus,
  ) {}

  /** A session for the identity came up over `transport`. */
  connected(address: TwinAddress, transport?: DeviceTransport): void {
    const live = this.liveOf(address);
    live.connections += 1;
    if (transport !== undefined) live.transport = transport;
    live.lastActivityTime = this.clock.now().toISOString();
    if (live.connections === 1) this.changed(address, live, 'Connected');
  }

  /** A session for the identity ended. */
  disconnected(address: TwinAddress): void {
    const live = this.live.get(twinKey(address));
    if (!live || live.connections === 0) return;
    live.connections -= 1;
    if (live.connections === 0) this.changed(address, live, 'Disconnected');
  }

  /** The identity sent something. */
  touch(address: TwinAddress): void {
    this.liveOf(address).lastActivityTime = this.clock.now().toISOString();
  }

  facts(address: TwinAddress): ConnectionFacts {
    const live = this.live.get(twinKey(address));
    const connected = live !== undefined && live.connections > 0;
    return {
      connectionState: connected ? 'Connected' : 'Disconnected',
      ...(connected && live.transport !== undefined ? { transport: live.transport } : {}),
      lastActivityTime: live && live.lastActivityTime !== NEVER ? live.lastActivityTime : undefined,
      connectionStateUpdatedTime: live?.connectionStateUpdatedTime ?? NEVER,
    };
  }

  /** Forgets an identity (deleted) and, for a device, its modules. */
  forget(address: TwinAddress): void {
    const key = twinKey(address);
    this.live.delete(key);
    if (address.moduleId === undefined) for (const other of [...this.live.keys()]) if (other.startsWith(`${key}/`)) this.live.delete(other);
  }

  private liveOf(address: TwinAddress): Live {
    const key = twinKey(address);
    let live = this.live.get(key);
    if (!live) {
      live = { connections: 0, lastActivityTime: NEVER, connectionStateUpdatedTime: NEVER };
      this.live.set(key, live);
    }
    return live;
  }

  private changed(address: TwinAddress, live: Live, connectionState: ConnectionState): void {
    live.connectionStateUpdatedTime = this.clock.now().toISOString();
    const moduleId = address.moduleId;
    this.events.emit('connectionStateChanged', { deviceId: address.deviceId, ...(moduleId === undefined ? {} : { moduleId }), connectionState });
  }
}
