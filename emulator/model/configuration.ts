import type { JsonObject } from './json.js';

// Automatic device management (iothub-protocol-2.md §8): configurations that the hub applies to the desired
// properties of the twins their target condition selects. Plain JSON: records travel in change records.

/** What a configuration writes: exactly one of the three kinds (§8.2). Keys are twin paths under desired. */
export interface ConfigurationContent {
  /** Device twins: `{"properties.desired.<path>": value}`. */
  readonly deviceContent?: JsonObject;
  /** Module twins (ADM for modules): the same form, over module twins. */
  readonly moduleContent?: JsonObject;
  /** IoT Edge deployments: `{"<module>": {"properties.desired": {…}}}` (stored, not applied by this emulator). */
  readonly modulesContent?: JsonObject;
}

/** A configuration as the hub keeps it. Replaced, never mutated. */
export interface ConfigurationRecord {
  readonly id: string;
  readonly schemaVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly content: ConfigurationContent;
  readonly targetCondition: string;
  readonly priority: number;
  readonly createdTimeUtc: string;
  readonly lastUpdatedTimeUtc: string;
  /** Custom metric queries by name (`SELECT deviceId FROM devices WHERE …`). */
  readonly metricQueries: Readonly<Record<string, string>>;
  /** +1 on every update; the etag derives from it. */
  readonly version: number;
}

/** How a configuration stands on one twin (`configurations.<id>.status`, §8.3). */
export type TwinConfigurationStatus = 'Targeted' | 'Applied';

/** A twin's `configurations` map: status per configuration that targets it. */
export type TwinConfigurations = Readonly<Record<string, { readonly status: TwinConfigurationStatus }>>;
