import type { HubEventBus } from '../events.js';
import type { ConnectionState, DeviceTransport } from '../model/device.js';
import { NEVER } from '../model/device.js';
import type { TwinAddress } from '../model/twin-address.js';
import { twinKey } from '../model/twin-address.js';
import type { Clock } from '../util/clock.js';

interface Live {
  connections: number;
  /** Connected on another hub node of a cluster (its newest connection is there). */
  remote: boolean;
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
 * On a cluster node (docs/cluster.md) the node also tells it which identities are connected to other nodes and when
 * they were last active there (`remote…`), so device JSON, twins and queries show the cluster-wide state.
 */
export class ConnectionTracker {
  private readonly live = new Map<string, Live>();
  /** Identities active here since the last `takeActivity` (only kept once a cluster node asked for it). */
  private activity: Set<string> | undefined;

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
    this.activity?.add(twinKey(address));
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
    this.activity?.add(twinKey(address));
  }

  /** The identity's newest connection is on another cluster node since `at` (ISO time). */
  remoteConnected(address: TwinAddress, at: string): void {
    const live = this.liveOf(address);
    if (at > live.lastActivityTime) live.lastActivityTime = at;
    if (live.remote) return;
    live.remote = true;
    if (live.connections === 0) this.changed(address, live, 'Connected', at);
  }

  /** The identity's connection on another cluster node ended at `at` (or that node went silent). */
  remoteDisconnected(address: TwinAddress, at: string): void {
    const live = this.live.get(twinKey(address));
    if (!live?.remote) return;
    live.remote = false;
    if (live.connections === 0) this.changed(address, live, 'Disconnected', at);
  }

  /** The identity sent something to another cluster node at `at` (ISO time). */
  remoteActivity(address: TwinAddress, at: string): void {
    const live = this.live.get(twinKey(address));
    if (live && at > live.lastActivityTime) live.lastActivityTime = at;
  }

  /**
   * The identities connected here that were active since the last call, with their last activity (ISO time); the
   * first call starts the bookkeeping (a cluster node calls it once per heartbeat).
   */
  takeActivity(): [key: string, lastActivityTime: string][] {
    const keys = this.activity ?? new Set<string>();
    this.activity = new Set();
    const taken: [string, string][] = [];
    for (const key of keys) {
      const live = this.live.get(key);
      if (live && live.connections > 0 && live.lastActivityTime !== NEVER) taken.push([key, live.lastActivityTime]);
    }
    return taken;
  }

  facts(address: TwinAddress): ConnectionFacts {
    const live = this.live.get(twinKey(address));
    const connected = live !== undefined && (live.connections > 0 || live.remote);
    return {
      connectionState: connected ? 'Connected' : 'Disconnected',
      ...(connected && live.connections > 0 && live.transport !== undefined ? { transport: live.transport } : {}),
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
      live = { connections: 0, remote: false, lastActivityTime: NEVER, connectionStateUpdatedTime: NEVER };
      this.live.set(key, live);
    }
    return live;
  }

  /** `at` is given for a change on another node (the event then says `remote`). */
  private changed(address: TwinAddress, live: Live, connectionState: ConnectionState, at?: string): void {
    live.connectionStateUpdatedTime = at ?? this.clock.now().toISOString();
    const moduleId = address.moduleId;
    this.events.emit('connectionStateChanged', {
      deviceId: address.deviceId,
      ...(moduleId === undefined ? {} : { moduleId }),
      connectionState,
      ...(at === undefined ? {} : { remote: true as const }),
    });
  }
}
