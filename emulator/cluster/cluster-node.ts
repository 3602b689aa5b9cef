import { Redis } from 'ioredis';

import type { HubEventBus } from '../events.js';
import type { Logger } from '../logger.js';
import { twinKey, type TwinAddress } from '../model/twin-address.js';
import type { ConnectionTracker } from '../services/connection-tracker.js';
import type { EventLogPort } from '../services/event-hub-service.js';
import { ClusterEventRelay } from './cluster-event-relay.js';
import type { MethodService } from '../services/method-service.js';
import type { JobService } from '../services/jobs/job-service.js';
import { ClusterDevicePort } from './cluster-device-port.js';
import { ACTIVITY_BATCH, parseClusterMessage, type ClusterMessage } from './cluster-messages.js';
import { CLAIM_SCRIPT, GONE_SCRIPT, LEASE_SCRIPT } from './cluster-scripts.js';
import type { ClusterNodeEndpoint, ClusterNodeStatus } from '../model/cluster-node-status.js';

/** The store as a node needs it: the Redis store's position and catch-up. */
export interface SharedStore {
  /** Seq of the last batch applied to this node's committed state. */
  readonly position: number;
  /** Resolves once the committed state includes batch `seq`. */
  caughtUp(seq: number): Promise<void>;
}

/** Options of {@link ClusterNode}. */
export interface ClusterNodeOptions {
  readonly url: string;
  /** The hub's key prefix (the store's): every key is `{<prefix>}:…`. */
  readonly prefix: string;
  readonly nodeId: string;
  readonly heartbeatMs: number;
  readonly store: SharedStore;
  readonly events: HubEventBus;
  readonly logger: Logger;
}

export type { ClusterNodeEndpoint, ClusterNodeStatus };

interface Owner {
  readonly node: string;
  readonly gen: number;
  /** When the connection came up (ms since the epoch, the holding node's clock); 0 when unknown. */
  readonly at: number;
}

interface Beat extends Partial<ClusterNodeEndpoint> {
  readonly nodeId: string;
  readonly endpoint: string;
  readonly devices: number;
  readonly position: number;
  readonly startedAt: string;
  readonly at: number;
}

interface RedisWithScripts extends Redis {
  hubClaim(counter: string, owners: string, key: string, node: string, channel: string, at: number): Promise<number>;
  hubGone(owners: string, key: string, node: string, gen: number, channel: string, at: number): Promise<number>;
  hubLease(lease: string, node: string, ms: number): Promise<number>;
}

/**
 * One hub node of a cluster (docs/cluster.md). It keeps, in Redis, which node holds each connected identity
 * (`{prefix}:owners`, claim numbers: the newest connection wins across nodes as on one hub), its heartbeat
 * (`{prefix}:nodes`), and the leader lease (`{prefix}:leader`: one node runs jobs and configurations). It mirrors
 * the owner map from pub/sub, so the device port answers "where is this device" without a round trip, and runs
 * the device-port calls other nodes send it on its own transports.
 */
export class ClusterNode {
  readonly devices = new ClusterDevicePort();
  private readonly redis: RedisWithScripts;
  private readonly subscriber: Redis;
  private readonly keys: { owners: string; claims: string; nodes: string; leader: string; broadcast: string; inbox: string };
  /** Newest claim per identity, every node's (mirror of the owner hash). */
  private readonly owners = new Map<string, Owner>();
  /** Claims of this node still waiting for their number. */
  private readonly claiming = new Map<string, Promise<number | undefined>>();
  private readonly liveNodes = new Set<string>();
  private readonly startedAt = new Date().toISOString();
  private methods: MethodService | undefined;
  private jobs: JobService | undefined;
  private endpoint: ClusterNodeEndpoint | undefined;
  /** This node's connection states, told which identities are connected to other (live) nodes. */
  private connections: ConnectionTracker | undefined;
  /** Identity → the node the tracker was told it is connected to. */
  private readonly toldRemote = new Map<string, string>();
  private relay: ClusterEventRelay | undefined;
  private leading = false;
  private onLeader: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private disposeEvents: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: ClusterNodeOptions) {
    const tag = `{${options.prefix}}`;
    this.keys = {
      owners: `${tag}:owners`,
      claims: `${tag}:claims`,
      nodes: `${tag}:nodes`,
      leader: `${tag}:leader`,
      broadcast: `${tag}:cluster`,
      inbox: `${tag}:node:${options.nodeId}`,
    };
    const connection = { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 };
    this.redis = new Redis(options.url, connection) as RedisWithScripts;
    this.redis.defineCommand('hubClaim', { numberOfKeys: 2, lua: CLAIM_SCRIPT });
    this.redis.defineCommand('hubGone', { numberOfKeys: 1, lua: GONE_SCRIPT });
    this.redis.defineCommand('hubLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });
    this.subscriber = new Redis(options.url, { ...connection, maxRetriesPerRequest: null });
    for (const client of [this.redis, this.subscriber]) client.on('error', (error: Error) => options.logger.debug(`cluster: ${error.message}`));
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Connects, subscribes, loads the owner map and starts heartbeating. */
  async start(): Promise<void> {
    await this.redis.connect();
    await this.subscriber.connect();
    this.subscriber.on('message', (_channel: string, text: string) => this.received(text));
    await this.subscriber.subscribe(this.keys.broadcast, this.keys.inbox);
    // Subscribed first, then the snapshot of the hash: a claim made in between is in one or the other (or both).
    for (const [key, value] of Object.entries(await this.redis.hgetall(this.keys.owners))) {
      const owner = parseOwner(value);
      if (!owner) continue;
      // A claim in this node's name is from a previous run of it (killed, so it could not release it): nothing is
      // connected here yet, so it goes, or the other nodes would show that device connected here once this node beats.
      if (owner.node === this.nodeId) await this.redis.hubGone(this.keys.owners, key, this.nodeId, owner.gen, this.keys.broadcast, Date.now());
      else this.remember(key, owner);
    }
    this.devices.attach({
      remoteOwner: (key) => this.remoteOwner(key),
      send: (nodeId, message) => this.send(nodeId, message),
      broadcast: (message) => this.publish(this.keys.broadcast, message),
      claim: (address) => this.claim(address),
      position: () => this.options.store.position,
    });
    this.disposeEvents = this.options.events.on('connectionStateChanged', ({ deviceId, moduleId, connectionState, remote }) => {
      if (connectionState === 'Disconnected' && !remote) this.released({ deviceId, ...(moduleId === undefined ? {} : { moduleId }) });
    });
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /**
   * The method service runs calls relayed from other nodes and completes the calls this node relayed; `endpoint`
   * (where this node listens) goes into its heartbeat, sent at once.
   */
  attach(methods: MethodService, endpoint: ClusterNodeEndpoint): void {
    this.methods = methods;
    this.endpoint = endpoint;
    void this.beat();
  }

  /** Cancels through this node of jobs another node runs are broadcast; the node that runs one cancels it. */
  attachJobs(jobs: JobService): void {
    this.jobs = jobs;
    jobs.relayCancels((jobId) => this.publish(this.keys.broadcast, { t: 'cancelJob', jobId, node: this.nodeId }));
  }

  /**
   * The node keeps `connections` told which identities are connected to other live nodes (and when they were last
   * active there), and sends the activity of its own identities with each heartbeat: connectionState and
   * lastActivityTime are then cluster-wide on every node.
   */
  track(connections: ConnectionTracker): void {
    this.connections = connections;
    connections.takeActivity();
    for (const key of this.owners.keys()) this.syncRemote(key);
  }

  /**
   * The built-in endpoint's log made cluster-wide: this node's events go to the other nodes' logs and theirs come
   * into `log` (started; closed with the node).
   */
  async relayEvents(log: EventLogPort): Promise<ClusterEventRelay> {
    const relay = new ClusterEventRelay(log, { url: this.options.url, prefix: this.options.prefix, nodeId: this.nodeId, logger: this.options.logger });
    this.relay = relay;
    await relay.start();
    return relay;
  }

  /** Runs `start` once this node holds the leader lease (now, or when the current leader goes silent). */
  whenLeader(start: () => void): void {
    if (this.leading) start();
    else this.onLeader = start;
  }

  /** Every node that heartbeats into this cluster's Redis, live or silent (silent ones drop out after a minute). */
  async status(): Promise<ClusterNodeStatus[]> {
    return readClusterStatus(this.redis, this.options.prefix, this.options.heartbeatMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.disposeEvents?.();
    await this.relay?.close();
    try {
      if (this.redis.status === 'ready') {
        // Leave cleanly: the node's entry, its lease and its owner entries go now instead of after 3 beats.
        for (const [key, owner] of this.owners) if (owner.node === this.nodeId) await this.redis.hubGone(this.keys.owners, key, this.nodeId, owner.gen, this.keys.broadcast, Date.now());
        await this.redis.hdel(this.keys.nodes, this.nodeId);
        if (this.leading) await this.redis.del(this.keys.leader);
        await this.redis.quit();
      }
    } catch (error) {
      this.options.logger.debug(`cluster: leaving: ${(error as Error).message}`);
    }
    this.redis.disconnect();
    this.subscriber.disconnect();
  }

  private remoteOwner(key: string): string | undefined {
    const owner = this.owners.get(key);
    if (!owner || owner.node === this.nodeId || !this.liveNodes.has(owner.node)) return undefined;
    return owner.node;
  }

  /** A transport of this node admitted the identity: claim it in Redis (the other nodes close theirs). */
  private claim(address: TwinAddress): void {
    const key = twinKey(address);
    const at = Date.now();
    const claim = this.redis
      .hubClaim(this.keys.claims, this.keys.owners, key, this.nodeId, this.keys.broadcast, at)
      .then((gen) => {
        this.remember(key, { node: this.nodeId, gen: Number(gen), at });
        this.syncRemote(key);
        return Number(gen);
      })
      .catch((error: unknown) => {
        this.options.logger.warn(`cluster: could not claim ${key}: ${(error as Error).message}`);
        return undefined;
      })
      .finally(() => {
        if (this.claiming.get(key) === claim) this.claiming.delete(key);
      });
    this.claiming.set(key, claim);
  }

  /** The identity's last connection on this node ended: release the claim if it is still the newest. */
  private released(address: TwinAddress): void {
    const key = twinKey(address);
    const owner = this.owners.get(key);
    if (!owner || owner.node !== this.nodeId || this.devices.local.isConnected(address)) return;
    this.redis.hubGone(this.keys.owners, key, this.nodeId, owner.gen, this.keys.broadcast, Date.now()).catch((error: unknown) => {
      this.options.logger.debug(`cluster: could not release ${key}: ${(error as Error).message}`);
    });
  }

  private remember(key: string, owner: Owner): void {
    const known = this.owners.get(key);
    if (!known || known.gen <= owner.gen) this.owners.set(key, owner);
  }

  /**
   * Tells the connection tracker whether the identity is connected to another live node now (its newest claim is
   * there), when that changed; `at` is when a connection there ended (ms), for a `gone`.
   */
  private syncRemote(key: string, at?: number): void {
    const connections = this.connections;
    if (!connections) return;
    const owner = this.owners.get(key);
    const remote = owner && owner.node !== this.nodeId && this.liveNodes.has(owner.node) ? owner : undefined;
    const told = this.toldRemote.get(key);
    if (remote) {
      if (told === remote.node) return;
      this.toldRemote.set(key, remote.node);
      connections.remoteConnected(addressOfKey(key), new Date(remote.at || Date.now()).toISOString());
    } else if (told !== undefined) {
      this.toldRemote.delete(key);
      connections.remoteDisconnected(addressOfKey(key), new Date(at ?? Date.now()).toISOString());
    }
  }

  private send(nodeId: string, message: ClusterMessage): void {
    const stamped = message.t === 'invoke' ? { ...message, from: this.nodeId } : message;
    this.publish(`{${this.options.prefix}}:node:${nodeId}`, stamped);
  }

  private publish(channel: string, message: ClusterMessage): void {
    this.redis.publish(channel, JSON.stringify(message)).catch((error: unknown) => {
      this.options.logger.warn(`cluster: could not send ${message.t}: ${(error as Error).message}`);
    });
  }

  private received(text: string): void {
    const message = parseClusterMessage(text);
    if (!message) {
      this.options.logger.warn(`cluster: ignored a message that is not one: ${text.slice(0, 120)}`);
      return;
    }
    void this.handle(message).catch((error: unknown) => this.options.logger.warn(`cluster: ${message.t} failed: ${(error as Error).message}`));
  }

  private async handle(message: ClusterMessage): Promise<void> {
    const { store } = this.options;
    switch (message.t) {
      case 'claim':
        return this.claimed(message.key, { node: message.node, gen: message.gen, at: message.at ?? 0 });
      case 'gone':
        if (this.owners.get(message.key)?.gen === message.gen) this.owners.delete(message.key);
        return this.syncRemote(message.key, message.at);
      case 'activity':
        if (message.node === this.nodeId) return;
        for (const [key, at] of message.items) this.connections?.remoteActivity(addressOfKey(key), new Date(at).toISOString());
        return;
      case 'disconnect':
        return this.devices.local.disconnect(addressOf(message));
      case 'desired':
        await store.caughtUp(message.seq);
        return this.devices.local.notifyDesired(addressOf(message), message.body, message.version);
      case 'c2d':
        await store.caughtUp(message.seq);
        return this.devices.local.deliverC2d(message.deviceId);
      case 'invoke':
        await store.caughtUp(message.seq);
        return this.invokeHere(message);
      case 'methodResult':
        return this.methods?.complete(addressOf(message), message.rid, message.status, Buffer.from(message.payload, 'utf8'));
      case 'cancelJob':
        if (message.node === this.nodeId || this.jobs?.runsHere(message.jobId) !== true) return;
        await this.jobs.cancel(message.jobId);
        return;
      case 'methodFailed': {
        const { deviceId, moduleId } = message;
        return this.methods?.connectionLost(deviceId, moduleId);
      }
    }
  }

  /** Another node (or this one) claimed an identity: a connection of it here that is older closes. */
  private async claimed(key: string, owner: Owner): Promise<void> {
    this.remember(key, owner);
    // A node that just claimed is alive (the next heartbeat read confirms it or not).
    this.liveNodes.add(owner.node);
    this.syncRemote(key);
    if (owner.node === this.nodeId) return;
    const mine = (await this.claiming.get(key)) ?? undefined;
    const current = this.owners.get(key);
    if (mine !== undefined && mine > owner.gen) return;
    if (current && current.node === this.nodeId && current.gen > owner.gen) return;
    const address = addressOfKey(key);
    if (this.devices.local.isConnected(address)) this.devices.local.supersedeAll(address);
  }

  /** Runs a call another node relayed, on this node's transports, and sends the answer back. */
  private async invokeHere(message: Extract<ClusterMessage, { t: 'invoke' }>): Promise<void> {
    const address = addressOf(message);
    const reply = (answer: ClusterMessage) => this.send(message.from, answer);
    if (!this.methods || !this.devices.local.canReceiveMethods(address)) {
      reply({ t: 'methodFailed', ...address, rid: message.rid });
      return;
    }
    try {
      const result = await this.methods.invoke({
        ...address,
        methodName: message.methodName,
        payload: JSON.parse(message.payload) as never,
        // The calling node enforces the caller's timeout; this one only bounds the wait (IoT Hub's maximum).
        responseTimeoutInSeconds: 300,
        connectTimeoutInSeconds: 0,
      });
      reply({ t: 'methodResult', ...address, rid: message.rid, status: result.status, payload: JSON.stringify(result.payload) });
    } catch {
      reply({ t: 'methodFailed', ...address, rid: message.rid });
    }
  }

  /** The last activity of this node's identities since the last heartbeat, to every node. */
  private sendActivity(): void {
    const items = (this.connections?.takeActivity() ?? []).map(([key, at]): [string, number] => [key, Date.parse(at)]);
    for (let start = 0; start < items.length; start += ACTIVITY_BATCH) {
      this.publish(this.keys.broadcast, { t: 'activity', node: this.nodeId, items: items.slice(start, start + ACTIVITY_BATCH) });
    }
  }

  /** Heartbeat: this node's entry, the list of live nodes, and the leader lease. */
  private async beat(): Promise<void> {
    if (this.closed) return;
    try {
      const devices = [...this.owners.values()].filter((owner) => owner.node === this.nodeId).length;
      const where = this.endpoint;
      const endpoint = where ? `${where.hostName} mqtts ${where.ports.mqtts ?? 'off'} https ${where.ports.https ?? 'off'} amqps ${where.ports.amqps ?? 'off'}` : '';
      const beat: Beat = { nodeId: this.nodeId, endpoint, ...where, devices, position: this.options.store.position, startedAt: this.startedAt, at: Date.now() };
      await this.redis.hset(this.keys.nodes, this.nodeId, JSON.stringify(beat));
      this.sendActivity();
      const nodes = await readClusterStatus(this.redis, this.options.prefix, this.options.heartbeatMs);
      this.liveNodes.clear();
      for (const node of nodes) if (node.live) this.liveNodes.add(node.nodeId);
      this.liveNodes.add(this.nodeId);
      // A node that went silent takes its identities' connections with it (and one that came back returns them).
      for (const key of new Set([...this.owners.keys(), ...this.toldRemote.keys()])) this.syncRemote(key);
      const leading = (await this.redis.hubLease(this.keys.leader, this.nodeId, this.options.heartbeatMs * 3)) === 1;
      if (leading && !this.leading) {
        this.leading = true;
        this.options.logger.info(`cluster: node ${this.nodeId} runs jobs and configurations (leader)`);
        const start = this.onLeader;
        this.onLeader = undefined;
        start?.();
      }
      this.leading = leading;
    } catch (error) {
      this.options.logger.warn(`cluster: heartbeat failed: ${(error as Error).message}`);
    }
  }
}

/** The nodes of the cluster on `redis` under `prefix`, as their heartbeats say (for the node and for the CLI). */
export async function readClusterStatus(redis: Redis, prefix: string, heartbeatMs = 2000): Promise<ClusterNodeStatus[]> {
  const tag = `{${prefix}}`;
  const [entries, leader] = await Promise.all([redis.hgetall(`${tag}:nodes`), redis.get(`${tag}:leader`)]);
  const now = Date.now();
  const nodes: ClusterNodeStatus[] = [];
  for (const text of Object.values(entries)) {
    let beat: Beat;
    try {
      beat = JSON.parse(text) as Beat;
    } catch {
      continue;
    }
    if (typeof beat.nodeId !== 'string' || typeof beat.at !== 'number') continue;
    const silentMs = Math.max(0, now - beat.at);
    // A node silent for a minute is gone for good: its entry is dropped by whoever reads it.
    if (silentMs > 60_000) {
      await redis.hdel(`${tag}:nodes`, beat.nodeId).catch(() => undefined);
      continue;
    }
    const ports = beat.ports;
    nodes.push({
      nodeId: beat.nodeId,
      endpoint: String(beat.endpoint ?? ''),
      hostName: String(beat.hostName ?? ''),
      addresses: Array.isArray(beat.addresses) ? beat.addresses.filter((address): address is string => typeof address === 'string').slice(0, 32) : [],
      ports: { mqtts: portOf(ports?.mqtts), https: portOf(ports?.https), amqps: portOf(ports?.amqps) },
      heartbeatAt: new Date(beat.at).toISOString(),
      devices: Number(beat.devices) || 0,
      position: Number(beat.position) || 0,
      startedAt: String(beat.startedAt ?? ''),
      silentMs,
      live: silentMs <= heartbeatMs * 3,
      leader: leader === beat.nodeId,
    });
  }
  return nodes.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}

function parseOwner(value: string): Owner | undefined {
  const match = /^(\d+) (\S+)(?: (\d+))?$/.exec(value);
  return match ? { gen: Number(match[1]), node: match[2] ?? '', at: Number(match[3] ?? 0) } : undefined;
}

function portOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535 ? value : null;
}

function addressOf(message: { deviceId: string; moduleId?: string | undefined }): TwinAddress {
  return message.moduleId === undefined ? { deviceId: message.deviceId } : { deviceId: message.deviceId, moduleId: message.moduleId };
}

/** `d1` → {deviceId: d1}; `d1/m1` → {deviceId: d1, moduleId: m1} (device ids cannot contain `/`). */
function addressOfKey(key: string): TwinAddress {
  const slash = key.indexOf('/');
  return slash < 0 ? { deviceId: key } : { deviceId: key.slice(0, slash), moduleId: key.slice(slash + 1) };
}

/** Reads a cluster's nodes from its Redis (`url`) without being a node: for `npm run hub -- --cluster-status`. */
export async function fetchClusterStatus(url: string, prefix: string): Promise<ClusterNodeStatus[]> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await readClusterStatus(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
