/** Where a routed message comes from (iothub-protocol-2.md §6.1; ARM `RoutingSource`). */
export type RouteSource = 'DeviceMessages' | 'TwinChangeEvents' | 'DeviceLifecycleEvents' | 'DeviceConnectionStateEvents';

/** Every source this hub routes. */
export const ROUTE_SOURCES: readonly RouteSource[] = ['DeviceMessages', 'TwinChangeEvents', 'DeviceLifecycleEvents', 'DeviceConnectionStateEvents'];

/** One route, in the shape of ARM's `properties.routing.routes[]`. */
export interface RouteDefinition {
  readonly name: string;
  readonly source: RouteSource;
  /** The routing query condition; `true` when absent. */
  readonly condition?: string;
  /** Exactly one endpoint name; `events` is the built-in Event Hub-compatible endpoint. */
  readonly endpointNames: readonly string[];
  readonly isEnabled: boolean;
}

/**
 * An extra Event Hubs-compatible endpoint (ARM `endpoints.eventHubs[]`). IoT Hub sends to an Event Hub elsewhere; this
 * hub serves the entity itself, on its own AMQP listener, for `@azure/event-hubs` consumers.
 */
export interface EventHubEndpointDefinition {
  readonly name: string;
  /** The entity consumers name (`EntityPath`); default: `EntityPath` of `connectionString`, else the endpoint name. */
  readonly entityPath?: string;
  /** Kept as given (ARM shape); only its `EntityPath` is read. */
  readonly connectionString?: string;
  /** Partitions (1-32), fixed when the entity is first created. Emulator extra (ARM has no such field); default 4. */
  readonly partitionCount?: number;
}

/**
 * A local file sink, configured as ARM's storage container endpoint (`endpoints.storageContainers[]`): instead of blobs
 * in Azure Storage, JSON lines in `<dataDir>/endpoints/<containerName>/`, rotated at `maxChunkSizeInBytes`.
 */
export interface StorageContainerEndpointDefinition {
  readonly name: string;
  readonly containerName: string;
  /** Only `JSON` is written (`Avro` is refused). */
  readonly encoding?: string;
  /** Bytes per file before the sink starts a new one (IoT Hub: 10-500 MB; default here 10 MiB, at least 1 KiB). */
  readonly maxChunkSizeInBytes?: number;
  /** Kept as given (ARM shape); not used for file names. */
  readonly fileNameFormat?: string;
  readonly batchFrequencyInSeconds?: number;
  readonly connectionString?: string;
}

/**
 * An HTTP(S) webhook sink: each routed message POSTed as JSON, queued (bounded) and retried (bounded). An emulator
 * extra: IoT Hub's nearest equivalent is its Event Grid integration, which POSTs hub events to webhook subscribers.
 */
export interface WebhookEndpointDefinition {
  readonly name: string;
  /** `http://` or `https://` URL. */
  readonly url: string;
  /** Extra request headers (e.g. an authorization header). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The endpoints a route may name besides `events`. */
export interface RoutingEndpoints {
  readonly eventHubs: readonly EventHubEndpointDefinition[];
  readonly storageContainers: readonly StorageContainerEndpointDefinition[];
  readonly webhooks: readonly WebhookEndpointDefinition[];
}

/** A message enrichment (ARM `enrichments[]`, iothub-protocol-2.md §6.5). */
export interface EnrichmentDefinition {
  /** The application property to set. */
  readonly key: string;
  /** A static string, `$iothubname`, or `$twin.tags.<path>` / `$twin.properties.desired|reported.<path>`. */
  readonly value: string;
  readonly endpointNames: readonly string[];
}

/** The hub's routing configuration (ARM `properties.routing`, the parts this hub serves). */
export interface RoutingConfig {
  readonly routes: readonly RouteDefinition[];
  /** The fallback route (`$fallback` → `events`, DeviceMessages only); enabled on new hubs. */
  readonly fallbackEnabled: boolean;
  readonly endpoints: RoutingEndpoints;
  readonly enrichments: readonly EnrichmentDefinition[];
}

/** No extra endpoints. */
export const NO_ENDPOINTS: RoutingEndpoints = { eventHubs: [], storageContainers: [], webhooks: [] };

/** A new hub's routing: no routes, the fallback route on. */
export const DEFAULT_ROUTING: RoutingConfig = { routes: [], fallbackEnabled: true, endpoints: NO_ENDPOINTS, enrichments: [] };

/** The name of the built-in endpoint. */
export const BUILT_IN_ENDPOINT = 'events';

/** The key of the one entry of `HubState.routing`. */
export const ROUTING_KEY = 'hub';

/** IoT Hub's limits (iothub-protocol-2.md §6.2, standard tier). */
export const ROUTING_LIMITS = { routes: 100, endpoints: 10, enrichments: 10 } as const;
