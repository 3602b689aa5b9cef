import type { TwinConfigurations } from './configuration.js';
import type { JsonObject } from './json.js';

/**
 * `$metadata` tree of a twin section: every object and leaf node carries `$lastUpdated`; desired nodes also
 * carry `$lastUpdatedVersion` (iothub-protocol.md §7.2).
 */
export interface MetadataNode {
  $lastUpdated: string;
  $lastUpdatedVersion?: number;
  [key: string]: MetadataNode | string | number | undefined;
}

/** One twin properties section (`desired` or `reported`) as the hub stores it. */
export interface TwinSection {
  readonly data: JsonObject;
  readonly metadata: MetadataNode;
  readonly version: number;
}

/** Which properties section a write targets. */
export type SectionName = 'desired' | 'reported';

/** The stored, mutable-by-replacement twin state of a device or module. */
export interface TwinState {
  readonly tags: JsonObject;
  readonly desired: TwinSection;
  readonly reported: TwinSection;
  /** Twin `version`: +1 on every accepted twin write (tags, desired or reported); the etag derives from it. */
  readonly version: number;
  /** IoT Plug and Play model id from the MQTT username, `""` when unset. */
  readonly modelId: string;
  /** Configurations targeting the twin and their status (automatic device management); absent when none. */
  readonly configurations?: TwinConfigurations;
}

/** The properties part a device sees (`$iothub/twin/GET` response body, iothub-protocol.md §4.2). */
export interface DeviceTwinView {
  desired: JsonObject;
  reported: JsonObject;
}
