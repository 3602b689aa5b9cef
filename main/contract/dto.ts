/**
 * Serializable data crossing the main ↔ renderer boundary (house-style H14): plain objects only, no classes,
 * times as ISO strings, bytes as base64 or text previews.
 */
import type { JsonObject, JsonValue } from '../../emulator/model/json.js';
import type { TwinAtVersion, TwinHistoryEntry } from '../../emulator/model/twin-history.js';
import type { TierUsage } from '../../emulator/model/tier-usage.js';
import type { ClusterNodeStatus } from '../../emulator/model/cluster-node-status.js';

/** Life-cycle state of the embedded hub. */
export type HubStatus = 'Stopped' | 'Starting' | 'Running' | 'Stopping';

/** What the studio can do with the hub it hosts; panels for missing features explain instead of failing. */
export interface HubFeatures {
  readonly query: boolean;
  readonly methods: boolean;
  readonly c2d: boolean;
  readonly simulation: boolean;
}

/** Where the running hub can be reached (mirrors the emulator's EmulatorInfo). */
export interface HubInfoDto {
  readonly hostName: string;
  readonly ports: { readonly mqtts: number; readonly https: number | null; readonly mqtt: number | null; readonly amqps: number | null };
  readonly dataDir: string;
  readonly caCertPath: string;
  readonly serviceConnectionString: string;
  /** Where devices can reach the hub (host name, loopback, and the LAN addresses when it accepts the network). */
  readonly addresses: readonly string[];
  readonly warnings: readonly string[];
  /** The built-in Event Hub-compatible endpoint: name, partitions, and the connection string for `@azure/event-hubs`. */
  readonly eventHub: { readonly name: string; readonly partitions: number; readonly connectionString: string };
}

/** The hub's state as the status bar shows it. */
export interface EmulatorStatusDto {
  readonly status: HubStatus;
  /** Null unless Running. */
  readonly info: HubInfoDto | null;
  readonly features: HubFeatures;
  /** How the studio is hosted: inside Electron or served to a browser. */
  readonly host: 'electron' | 'browser';
  /** Last start failure, if the hub is not running because it could not start. */
  readonly error?: string;
}

/** One row of the device list. */
export interface DeviceSummary {
  readonly deviceId: string;
  readonly status: 'enabled' | 'disabled';
  readonly statusReason: string | null;
  readonly connectionState: 'Connected' | 'Disconnected';
  /** `0001-01-01T00:00:00Z` when the device was never seen. */
  readonly lastActivityTime: string;
  readonly authenticationType: string;
  /** Twin `version`. */
  readonly twinVersion: number;
  /** True for devices driven by the emulator's simulator. */
  readonly simulated: boolean;
  /** The transport of the device's newest live connection (null while disconnected; HTTPS has no connection). */
  readonly connectedVia: DeviceTransportDto | null;
}

/** How a device is connected: MQTT or AMQP, over TLS or WebSockets. */
export type DeviceTransportDto = 'mqtt' | 'mqtt-ws' | 'amqp' | 'amqp-ws';

/** A device with what a developer needs to connect it. */
export interface DeviceDetails extends DeviceSummary {
  readonly generationId: string;
  readonly deviceEtag: string;
  readonly statusUpdatedTime: string;
  /** `HostName=…;DeviceId=…;SharedAccessKey=…` (+ `GatewayHostName` when MQTT is not on 8883). Empty for X.509. */
  readonly connectionString: string;
  /** The CA certificate devices must trust. */
  readonly caCertPath: string;
  readonly hostName: string;
  readonly mqttsPort: number;
}

/** A device registered with X.509 by the built-in test PKI, with the files it needs to connect. */
export interface X509DeviceDto {
  readonly device: DeviceDetails;
  /** `selfSigned` (the identity stores the thumbprint) or `caSigned` (by the hub's built-in device CA). */
  readonly mode: 'selfSigned' | 'caSigned';
  /** `HostName=…;DeviceId=…;x509=true` (the port is in HostName when MQTT is not on 8883). */
  readonly connectionString: string;
  /** The device certificate and private key (PEM), also written to `certPath` / `keyPath` in the data folder. */
  readonly certPem: string;
  readonly keyPem: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** SHA-1 thumbprint of the certificate. */
  readonly thumbprint: string;
}

/** The service-side twin document exactly as the hub returns it (iothub-protocol.md §7.1); a module twin also has `moduleId`. */
export interface TwinDocument extends JsonObject {
  deviceId: string;
  etag: string;
  version: number;
  tags: JsonObject;
  properties: { desired: JsonObject; reported: JsonObject };
}

/**
 * A twin's change log, oldest first: version, time, writer (`device:d1`, `service:iothubowner`, `studio`), the
 * patch as applied per section, and the inverse patches that undo it. Plain JSON, as the hub keeps it.
 */
export interface TwinHistoryDto {
  readonly deviceId: string;
  readonly moduleId?: string;
  readonly version: number;
  readonly entries: readonly TwinHistoryEntry[];
}

/** A twin's content at one version (no `$metadata`), or null when the change log no longer reaches it. */
export interface TwinAtVersionDto {
  readonly deviceId: string;
  readonly twin: TwinAtVersion | null;
}

/** One wire exchange (emulator TrafficEvent), payload already cut to a preview. */
export interface TrafficEventDto {
  readonly id: number;
  readonly time: string;
  readonly deviceId: string | null;
  readonly moduleId?: string;
  readonly direction: 'in' | 'out';
  /** `hub`: an injected fault that concerns no one transport. */
  readonly protocol: 'mqtt' | 'http' | 'amqp' | 'hub';
  /** True when the exchange ran on a WebSocket connection (MQTT-WS, AMQP-WS on the HTTPS port). */
  readonly webSocket?: true;
  /** `fault`: an injected fault (emulator/faults/). */
  readonly kind: 'connect' | 'disconnect' | 'subscribe' | 'twin' | 'method' | 'telemetry' | 'c2d' | 'rest' | 'fault' | 'other';
  readonly topic: string;
  readonly rid?: string;
  readonly status?: number;
  /** The far end is a back end, not a device: a service app, the studio or a job (C2D queued and feedback, methods). */
  readonly backEnd?: 'service' | 'studio' | 'job';
  /** When the request arrived, for an exchange recorded at its reply (REST calls). */
  readonly startTime?: string;
  readonly payload: string;
  readonly payloadBytes: number;
  /** True when `payload` is shorter than what was on the wire. */
  readonly truncated: boolean;
}

/** One partition of the built-in endpoint. */
export interface EventPartitionDto {
  readonly id: string;
  readonly beginSequenceNumber: number;
  readonly lastSequenceNumber: number;
  /** ISO time of the last event; null for an empty partition. */
  readonly lastEnqueuedTime: string | null;
  /** Events kept (retention). */
  readonly count: number;
}

/** One event on the built-in endpoint, decoded for display. */
export interface EndpointEventDto {
  readonly partition: string;
  readonly sequenceNumber: number;
  readonly offset: string;
  readonly enqueuedTime: string;
  readonly deviceId: string | null;
  readonly moduleId?: string;
  /** `iothub-message-source`: Telemetry, twinChangeEvents, deviceLifecycleEvents, deviceConnectionStateEvents. */
  readonly source: string;
  /** The body as UTF-8 text, cut to a preview. */
  readonly body: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly properties: Readonly<Record<string, string | null>>;
}

/** A routing endpoint besides `events`. */
export interface RoutingEndpointDto {
  readonly name: string;
  readonly kind: 'eventHub' | 'storageContainer' | 'webhook';
  /** Entity path, folder (container) name or URL. */
  readonly address: string;
  /** Counters since the hub started (events kept; written/failed; delivered/failed/dropped/queued). */
  readonly stats: Readonly<Record<string, number>>;
  /** For an Event Hubs entity: its `iothubowner` connection string (empty when AMQP is off). */
  readonly connectionString?: string;
}

/** The built-in Event Hub-compatible endpoint and its routing, as the studio shows them. */
export interface EventEndpointDto {
  readonly name: string;
  readonly connectionString: string;
  readonly partitions: readonly EventPartitionDto[];
  readonly routes: readonly { readonly name: string; readonly source: string; readonly condition: string; readonly endpoint: string; readonly enabled: boolean; readonly hits: number }[];
  /** Endpoints besides `events`: extra Event Hubs entities, file sinks, webhooks. */
  readonly endpoints: readonly RoutingEndpointDto[];
  /** The routing in force as Resource Manager's `properties.routing` object (what `traffic.setRouting` takes). */
  readonly routing: JsonObject;
  readonly fallbackEnabled: boolean;
  /** Events delivered by the fallback route since the hub started. */
  readonly fallbackHits: number;
  /** The newest events across partitions, newest first. */
  readonly recent: readonly EndpointEventDto[];
}

/** One page of query results (iothub-protocol.md §9.1). */
export interface QueryPageDto {
  readonly items: JsonObject[];
  /** Absent on the last page. */
  readonly continuation?: string;
  readonly itemType: 'Twin' | 'DeviceJob' | 'Raw';
}

/** A direct method's answer. */
export interface MethodResultDto {
  readonly status: number;
  readonly payload: JsonValue;
}

/** What a simulated device is asked to do (persisted). */
export type SimulationRunState = 'running' | 'paused' | 'stopped';

/** A simulated device: its profile, run state, live state and counters (emulator SimulationInfo). */
export interface SimulationDto {
  readonly deviceId: string;
  readonly profileName: string;
  readonly runState: SimulationRunState;
  readonly state: 'stopped' | 'connecting' | 'running' | 'paused' | 'offline' | 'error';
  /** ISO time of the last state change. */
  readonly since: string;
  readonly nextConnectAt?: string;
  readonly lastError?: string;
  readonly profileError?: string;
  readonly counters: {
    readonly connects: number;
    readonly reported: number;
    readonly telemetry: number;
    readonly desiredApplied: number;
    readonly desiredRejected: number;
    readonly methodsAnswered: number;
    readonly errors: number;
  };
  /**
   * Present while "apply on click" is on: desired changes the device received but has not applied or reported yet,
   * oldest first (`value` as JSON text).
   */
  readonly applyOnClick?: { readonly held: readonly { readonly property: string; readonly value: string; readonly version?: number; readonly receivedAt: string }[] };
}

/** A built-in simulation profile. */
export interface SimulationProfileDto {
  readonly name: string;
  readonly description: string;
}

/** Persisted studio settings (applied by restarting the hub). */
export interface StudioSettings {
  readonly ports: { readonly mqtts: number; readonly https: number | null; readonly mqtt: number | null; readonly amqps: number | null };
  readonly dataDir: string;
  readonly persistence: 'file' | 'memory';
  /**
   * Who can reach the hub's ports: `network` (default) listens on every interface, so devices on the LAN can
   * connect; `thisComputer` listens on 127.0.0.1 only.
   */
  readonly reach?: 'thisComputer' | 'network';
  /** Twin change log entries kept per twin (the timeline's reach back); default 32, 0 turns the log off. */
  readonly historyLimit?: number;
  /** Tier emulation: IoT Hub's throttles and daily quota of this tier and unit count; absent or null = off. */
  readonly tier?: { readonly name: HubTierName; readonly units: number } | null;
  /** Lenient mode (the README's "Differences from IoT Hub" lists what it accepts); default strict. */
  readonly lenient?: boolean;
}

/** IoT Hub tiers the studio offers (emulator/services/tiers/tier-table.ts). */
export const HUB_TIER_NAMES = ['F1', 'S1', 'S2', 'S3', 'B1', 'B2', 'B3'] as const;
export type HubTierName = (typeof HUB_TIER_NAMES)[number];

/** What tier emulation counted (per family and the daily quota), or null when it is off. */
export type TierUsageDto = TierUsage | null;

/** One hub node of a cluster, as its heartbeat in Redis says (docs/cluster.md), without the one-line endpoint. */
export interface ClusterNodeDto extends Omit<ClusterNodeStatus, 'endpoint'> {
  /** It is the studio's own hub. */
  readonly self: boolean;
}

/** The cluster the studio's hub is a node of, or null when the hub runs alone. */
export type ClusterStatusDto = { readonly nodeId: string; readonly nodes: readonly ClusterNodeDto[] } | null;

/** Settings as stored plus where they are kept. */
export interface SettingsDto {
  readonly settings: StudioSettings;
  /** The settings file, or null when changes last only until the studio exits (options given on the command line). */
  readonly settingsFile: string | null;
}

/** One device in an export file. */
export interface ExportedDevice {
  readonly deviceId: string;
  readonly status: 'enabled' | 'disabled';
  readonly statusReason?: string | null;
  readonly authentication: {
    readonly type: string;
    readonly symmetricKey?: { readonly primaryKey: string; readonly secondaryKey: string };
    /** X.509 `selfSigned` identities: the registered thumbprints. */
    readonly x509Thumbprint?: { readonly primaryThumbprint: string | null; readonly secondaryThumbprint: string | null };
  };
  readonly tags: JsonObject;
  readonly desired: JsonObject;
  /** Informational only: the service cannot write reported properties, so an import does not restore them. */
  readonly reported?: JsonObject;
}

/** The registry and twins as a JSON file (`format` and `version` let later releases migrate it). */
export interface HubExport {
  readonly format: 'twin-studio-hub';
  readonly version: 1;
  readonly exportedAt: string;
  readonly devices: ExportedDevice[];
}

/** What an import did. */
export interface ImportReport {
  readonly created: number;
  readonly updated: number;
  readonly failed: readonly { readonly deviceId: string; readonly message: string }[];
}

/** A DPS individual enrollment or enrollment group as the studio's Provisioning view shows it. */
export interface EnrollmentDto {
  /** Registration id (individual) or enrollment group id (group). */
  readonly id: string;
  readonly kind: 'individual' | 'group';
  /** The hub device id an individual enrollment creates (its registration id when null). */
  readonly deviceId: string | null;
  readonly provisioningStatus: 'enabled' | 'disabled';
  readonly attestationType: string;
  /** Symmetric keys ('' for other attestation types). */
  readonly primaryKey: string;
  readonly secondaryKey: string;
  readonly tags: JsonObject;
  readonly desired: JsonObject;
  readonly etag: string;
  readonly lastUpdatedDateTimeUtc: string;
}

/** One device registration state (the registration history). */
export interface RegistrationDto {
  readonly registrationId: string;
  readonly status: string;
  readonly substatus: string | null;
  readonly deviceId: string | null;
  readonly enrollmentGroupId: string | null;
  readonly errorMessage: string | null;
  readonly lastUpdatedDateTimeUtc: string;
}

/** The hub's Device Provisioning Service at a glance. */
export interface ProvisioningOverviewDto {
  readonly idScope: string;
  /** `provisioningHost` for devices: the hub's host name. */
  readonly hostName: string;
  readonly serviceConnectionString: string;
  readonly enrollments: readonly EnrollmentDto[];
  readonly groups: readonly EnrollmentDto[];
  /** Newest first. */
  readonly registrations: readonly RegistrationDto[];
}

/** Per-device counts of a job (iothub-protocol-2.md §7.2). */
export interface JobStatisticsDto {
  readonly deviceCount: number;
  readonly failedCount: number;
  readonly succeededCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
}

/** A scheduled job as `GET /jobs/v2/{id}` shows it. */
export interface JobDto {
  readonly jobId: string;
  readonly type: 'scheduleUpdateTwin' | 'scheduleDeviceMethod';
  readonly status: 'queued' | 'scheduled' | 'running' | 'completed' | 'failed' | 'cancelled';
  readonly queryCondition: string;
  readonly createdTime: string;
  readonly startTime: string;
  readonly endTime?: string;
  readonly maxExecutionTimeInSeconds: number;
  readonly updateTwin: JsonObject | null;
  readonly cloudToDeviceMethod: JsonObject | null;
  readonly failureReason: string | null;
  readonly statusMessage: string | null;
  readonly deviceJobStatistics: JobStatisticsDto;
}

/** A configuration (automatic device management) with its metrics, as `GET /configurations/{id}` shows it. */
export interface ConfigurationDto {
  readonly id: string;
  readonly schemaVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly content: JsonObject;
  readonly targetCondition: string;
  readonly priority: number;
  readonly createdTimeUtc: string;
  readonly lastUpdatedTimeUtc: string;
  readonly systemMetrics: { readonly results: Readonly<Record<string, number>>; readonly queries: Readonly<Record<string, string>> };
  readonly metrics: { readonly results: Readonly<Record<string, number>>; readonly queries: Readonly<Record<string, string>> };
  readonly etag: string;
}

/** A device's Plug and Play digital twin (`$dtId`, properties, components, `$metadata`) and the twin etag. */
export interface DigitalTwinDto {
  readonly twin: JsonObject;
  readonly etag: string;
}

/** One timed fault in force (emulator/faults/). */
export interface ActiveFaultDto {
  readonly id: number;
  readonly mode: 'refuseConnections' | 'latency' | 'lossQos0' | 'methodTimeout' | 'error';
  /** Null: every device. */
  readonly deviceId: string | null;
  /** Milliseconds left; null until cleared. */
  readonly remainingMs: number | null;
  readonly latencyMs?: number;
  readonly jitterMs?: number;
  readonly fraction?: number;
  /** The SDK error fault (`InvokeThrottling`, `InvokeMaxMessageQuota`, `InvokeAuthError`). */
  readonly error?: string;
}

/** The Faults panel's view of the hub. */
export interface FaultsStatusDto {
  readonly active: readonly ActiveFaultDto[];
  /** True while the hub's listeners are closed by the `hubDown` fault. */
  readonly hubDown: boolean;
  /** Whether devices may ask for faults with the SDKs' `AzIoTHub_Fault*` message properties. */
  readonly sdkProperties: boolean;
}
