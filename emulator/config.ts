import { homedir } from 'node:os';
import { join } from 'node:path';

import type { Logger } from './logger.js';
import type { RoutingConfig, RoutingEndpoints } from './model/routing.js';
import { noopLogger } from './logger.js';
import { DEFAULT_HISTORY_LIMIT } from './state/apply-change.js';
import type { Clock } from './util/clock.js';
import { systemClock } from './util/clock.js';
import { resolveWireLimits, type WireLimits } from './transports/wire-limits.js';
import { resolveFleetConfig, type FleetConfig, type ResolvedFleetConfig } from './fleet-config.js';
import type { TierConfig } from './services/tiers/tier-emulation.js';
import { LENIENT } from './services/leniency.js';

/** Listener ports: a number (0 = any free port) or null for "off". */
export interface PortConfig {
  /** MQTT 3.1.1 over TLS; 8883 like IoT Hub. */
  readonly mqtts?: number;
  /** HTTPS: REST API and MQTT/AMQP over WebSockets at /$iothub/websocket; 443 like IoT Hub (the service SDK needs it). */
  readonly https?: number | null;
  /** Used for HTTPS when `https` cannot be bound (not root, port taken); null = no fallback. */
  readonly httpsFallback?: number | null;
  /** Plain MQTT without TLS for quick tests (IoT Hub has none); off by default. */
  readonly mqtt?: number | null;
  /** AMQP 1.0 over TLS for the service SDK's C2D send and feedback; 5671 like IoT Hub; null = off. */
  readonly amqps?: number | null;
  /**
   * AMQP without TLS on loopback only, for `@azure/event-hubs`' development-emulator form
   * (`…;UseDevelopmentEmulator=true`, plain TCP, default 5672): it serves only the Event Hub-compatible endpoint, so a
   * back end reads telemetry without trusting the hub's CA. IoT Hub has no such port; null (default) = off.
   */
  readonly amqpDev?: number | null;
}

/** Configuration of `createEmulator`. Everything is optional. */
export interface EmulatorConfig {
  /** Folder for the data file and certificates. Default: the per-user app-data folder. */
  readonly dataDir?: string;
  /** `file` (default) persists to `<dataDir>/hub.json`; `memory` forgets everything at stop. */
  readonly persistence?: 'file' | 'memory';
  /** Host name put in connection strings; devices must use a name the server certificate covers. */
  readonly hostName?: string;
  /** Interface to listen on; default `::` (dual stack; falls back to 0.0.0.0 without IPv6). */
  readonly bindAddress?: string;
  readonly ports?: PortConfig;
  /** fsync each group-commit write (default true): acknowledged updates survive power loss, not just a crash. */
  readonly fsync?: boolean;
  /**
   * Journal bytes after which the store writes a fresh snapshot in the background (`emulator/store/README.md`).
   * Default: the larger of 8 MiB and the last snapshot's size, so snapshots cost at most as much as the journal.
   */
  readonly compactAtBytes?: number;
  /** Entries kept in each twin's change log (`twins.history`, time travel); 0 turns the log off. Default 32. */
  readonly historyLimit?: number;
  /** Grace before a device whose connection ended is shown Disconnected (absorbs SAS renewals). Default 1000 ms. */
  readonly disconnectGraceMs?: number;
  /**
   * How long a live MQTT connection outlives its SAS token before the hub closes it. IoT Hub closes such connections
   * "a few minutes" after expiry (iothub-protocol.md §2.3 step 4; the exact time is not documented). Default 5 min.
   */
  readonly tokenExpiryGraceMs?: number;
  /** Extra DNS names / IPs for the server certificate. */
  readonly extraHostNames?: readonly string[];
  /**
   * Devices may ask for faults with the SDKs' `AzIoTHub_FaultOperationType` message properties (emulator/faults/,
   * iothub-protocol-2.md §10.3). Off by default: such messages are then ordinary telemetry. Changeable at run time
   * with `emulator.faults.sdkProperties`.
   */
  readonly faultInjection?: boolean;
  /** The built-in Event Hub-compatible endpoint (iothub-protocol-2.md §5): partitions and retention. */
  readonly eventHub?: Partial<EventHubConfig>;
  /**
   * Message routing (iothub-protocol-2.md §6): routes, endpoints, enrichments. When given, it replaces the hub's stored
   * routing at start (when they differ); when absent, the stored routing (set through Resource Manager or the studio)
   * stays, and a new hub has none (fallback on).
   */
  readonly routing?: Partial<Omit<RoutingConfig, 'endpoints'>> & { readonly endpoints?: Partial<RoutingEndpoints> };
  /** Timeouts and size bounds on every listener (transports/wire-limits.ts); tests shorten them. */
  readonly limits?: Partial<WireLimits>;
  /** Jobs and configurations (fleet-config.ts). */
  readonly fleet?: FleetConfig;
  /**
   * Tier emulation (`services/tiers/README.md`): IoT Hub's per-unit throttles and daily message quota of this tier,
   * e.g. `{ name: 'S1', units: 1 }`. Absent (the default): nothing is throttled.
   */
  readonly tier?: TierConfig;
  /**
   * Lenient mode (`services/leniency.ts`): accept what other emulators tolerate but IoT Hub refuses (each leniency
   * is listed there and in the README). Default false: strict, as IoT Hub.
   */
  readonly lenient?: boolean;
  /**
   * `redis://[user:password@]host:port[/db]`: keep the hub state in Redis (the Redis store,
   * `emulator/store/README.md`) instead of `<dataDir>/hub.json`; keys are prefixed with the host name.
   */
  readonly store?: string;
  /** Run as one node of a cluster of hubs sharing the Redis `store` (docs/cluster.md). */
  readonly cluster?: ClusterConfig;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** The configuration with every default filled in. */
export interface ResolvedConfig {
  readonly dataDir: string;
  readonly persistence: 'file' | 'memory';
  readonly hostName: string;
  readonly bindAddress: string;
  readonly ports: Required<PortConfig>;
  readonly fsync: boolean;
  readonly historyLimit: number;
  readonly compactAtBytes: number | undefined;
  readonly disconnectGraceMs: number;
  readonly extraHostNames: readonly string[];
  readonly tokenExpiryGraceMs: number;
  readonly faultInjection: boolean;
  readonly eventHub: EventHubConfig;
  /** Undefined: keep the stored routing. */
  readonly routing: RoutingConfig | undefined;
  readonly limits: WireLimits;
  readonly fleet: ResolvedFleetConfig;
  readonly tier: TierConfig | undefined;
  readonly lenient: boolean;
  readonly store: string | undefined;
  readonly cluster: Required<ClusterConfig> | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** One node of a cluster (docs/cluster.md). */
export interface ClusterConfig {
  /** This node's id, unique in the cluster (default: a random one). */
  readonly nodeId?: string;
  /** How often the node tells Redis it is alive (default 2000 ms; a node silent for 3 beats counts as gone). */
  readonly heartbeatMs?: number;
}

function resolveCluster(config: EmulatorConfig): Required<ClusterConfig> | undefined {
  if (config.store !== undefined && !/^rediss?:\/\//.test(config.store)) throw new RangeError(`store must be a redis:// or rediss:// URL, got '${config.store}'`);
  if (!config.cluster) return undefined;
  if (config.store === undefined) throw new RangeError('cluster needs a shared store: set store to a redis:// URL');
  const nodeId = config.cluster.nodeId ?? `node-${Math.random().toString(36).slice(2, 8)}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(nodeId)) throw new RangeError(`cluster.nodeId must be 1-64 letters, digits, '.', '_' or '-', got '${nodeId}'`);
  const heartbeatMs = config.cluster.heartbeatMs ?? 2000;
  if (!(heartbeatMs >= 100)) throw new RangeError(`cluster.heartbeatMs must be at least 100, got ${heartbeatMs}`);
  return { nodeId, heartbeatMs };
}

/** The built-in endpoint's shape: IoT Hub's defaults are 4 partitions and 1 day (1-7 days) of retention. */
export interface EventHubConfig {
  readonly partitions: number;
  readonly retentionMs: number;
  /** Bytes kept per partition (oldest events go first): bounds memory and disk. Default 64 MiB. */
  readonly maxBytesPerPartition: number;
}

function resolveEventHub(config: Partial<EventHubConfig> = {}): EventHubConfig {
  const resolved = { partitions: 4, retentionMs: 24 * 3600_000, maxBytesPerPartition: 64 * 1024 * 1024, ...config };
  if (!Number.isInteger(resolved.partitions) || resolved.partitions < 1 || resolved.partitions > 32) throw new RangeError(`eventHub.partitions must be an integer 1-32, got ${resolved.partitions}`);
  if (!(resolved.retentionMs > 0)) throw new RangeError(`eventHub.retentionMs must be positive, got ${resolved.retentionMs}`);
  if (!(resolved.maxBytesPerPartition >= 1024 * 1024)) throw new RangeError(`eventHub.maxBytesPerPartition must be at least 1 MiB, got ${resolved.maxBytesPerPartition}`);
  return resolved;
}

function resolveRouting(routing: EmulatorConfig['routing']): RoutingConfig | undefined {
  if (routing === undefined) return undefined;
  const endpoints = routing.endpoints ?? {};
  return {
    routes: routing.routes ?? [],
    fallbackEnabled: routing.fallbackEnabled ?? true,
    endpoints: { eventHubs: endpoints.eventHubs ?? [], storageContainers: endpoints.storageContainers ?? [], webhooks: endpoints.webhooks ?? [] },
    enrichments: routing.enrichments ?? [],
  };
}

/** IoT Hub's own ports (iothub-protocol.md §1). */
export const DEFAULT_PORTS: Required<PortConfig> = { mqtts: 8883, https: 443, httpsFallback: 8443, mqtt: null, amqps: 5671, amqpDev: null };

/** Fills in defaults and rejects impossible values with a message naming the field. */
export function resolveConfig(config: EmulatorConfig = {}): ResolvedConfig {
  const ports = { ...DEFAULT_PORTS, ...config.ports };
  for (const [name, port] of Object.entries(ports)) {
    if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new RangeError(`ports.${name} must be an integer 0-65535 or null, got ${String(port)}`);
    }
  }
  return {
    dataDir: config.dataDir ?? defaultDataDir(),
    persistence: config.persistence ?? 'file',
    hostName: config.hostName ?? 'localhost',
    bindAddress: config.bindAddress ?? '::',
    ports,
    fsync: config.fsync ?? true,
    historyLimit: config.historyLimit ?? DEFAULT_HISTORY_LIMIT,
    compactAtBytes: config.compactAtBytes,
    disconnectGraceMs: config.disconnectGraceMs ?? 1000,
    extraHostNames: config.extraHostNames ?? [],
    tokenExpiryGraceMs: config.tokenExpiryGraceMs ?? 300_000,
    faultInjection: config.faultInjection ?? false,
    eventHub: resolveEventHub(config.eventHub),
    routing: resolveRouting(config.routing),
    // Lenient mode lets MQTT packets carry its larger device-to-cloud messages (services/leniency.ts).
    limits: resolveWireLimits(config.lenient === true ? { maxPacketBytes: LENIENT.mqttMaxPacketBytes, ...config.limits } : config.limits),
    fleet: resolveFleetConfig(config.fleet),
    tier: config.tier,
    lenient: config.lenient ?? false,
    store: config.store,
    cluster: resolveCluster(config),
    clock: config.clock ?? systemClock,
    logger: config.logger ?? noopLogger,
  };
}

/** Per-user app-data folder: `%APPDATA%\Twin Studio\hub`, `~/Library/Application Support/Twin Studio/hub`, XDG. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.TWIN_STUDIO_DATA_DIR) return env.TWIN_STUDIO_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Twin Studio', 'hub');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Twin Studio', 'hub');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'twin-studio', 'hub');
}
