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

/** The hub's routing configuration (ARM `properties.routing`, the parts this hub serves). */
export interface RoutingConfig {
  readonly routes: readonly RouteDefinition[];
  /** The fallback route (`$fallback` → `events`, DeviceMessages only); enabled on new hubs. */
  readonly fallbackEnabled: boolean;
}

/** The name of the built-in endpoint. */
export const BUILT_IN_ENDPOINT = 'events';
