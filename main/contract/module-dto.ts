/**
 * DTOs of the module channels (issue 17): a device's module identities (iothub-protocol.md §3.6). Module twins use
 * the twin channels with a `moduleId`. Plain JSON, times as ISO strings.
 */

/** A module identity as the studio lists it. */
export interface ModuleSummary {
  readonly deviceId: string;
  readonly moduleId: string;
  /** `null` unless a deployment manages the module (IoT Edge: `$edgeAgent`, `$edgeHub`). */
  readonly managedBy: string | null;
  readonly connectionState: 'Connected' | 'Disconnected';
  /** `0001-01-01T00:00:00Z` when the module was never seen. */
  readonly lastActivityTime: string;
  readonly authenticationType: string;
  /** Module twin `version`. */
  readonly twinVersion: number;
}

/** A module with what a developer needs to connect it. */
export interface ModuleDetails extends ModuleSummary {
  readonly generationId: string;
  /** `HostName=…;DeviceId=…;ModuleId=…;SharedAccessKey=…` (empty for X.509 modules). */
  readonly connectionString: string;
}
