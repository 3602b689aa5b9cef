import type { CaCertificateRecord } from './ca-certificate.js';
import type { ConsumerGroupRecord } from './consumer-group.js';
import type { DeviceRecord } from './device.js';
import type { AccessPolicy, ModuleRecord, StoredC2dMessage, StoredSubscription } from './hub-state.js';
import type { JsonObject } from './json.js';
import type { DpsInstance, EnrollmentGroupRecord, EnrollmentRecord, RegistrationRecord } from './provisioning.js';
import type { DeviceJobRecord, JobRecord } from './job.js';
import type { ConfigurationRecord, TwinConfigurations } from './configuration.js';
import type { RoutingConfig } from './routing.js';
import type { Principal } from './request-context.js';
import type { TwinAddress } from './twin-address.js';
import type { TwinHistoryEntry } from './twin-history.js';

// Change records: what a service did, described (house-style H5/H10). Services produce them; the store journals
// them, replays them at start (`emulator/state/apply-change.ts` is the one reducer) and hands each durable batch to
// its observers (views, the twin change log, notifications). Every record is plain JSON: the journal writes it as is.

/** How one twin section was written: JSON merge-patch (`merge`) or replacement (`replace`, REST PUT). */
export interface SectionChange {
  readonly mode: 'merge' | 'replace';
  /** The patch as applied (merge) or the new content (replace). */
  readonly patch: JsonObject;
}

/** Why a C2D message left its queue (the hub's feedback status codes, iothub-protocol.md §6.3). */
export type C2dRemoval = 'Success' | 'Expired' | 'DeliveryCountExceeded' | 'Rejected' | 'Purged';

/** A twin write (device reported PATCH, service PATCH/PUT, studio edit, job): one `version` step. */
export interface TwinWritten {
  readonly kind: 'twinWritten';
  readonly target: TwinAddress;
  /** The request time: `$metadata.$lastUpdated` of every node this write touched. */
  readonly time: string;
  readonly writer: Principal;
  readonly tags?: SectionChange;
  readonly desired?: SectionChange;
  readonly reported?: SectionChange;
  /** Twin `version` after the write. */
  readonly version: number;
  /** `$version` of desired and reported after the write. */
  readonly desiredVersion: number;
  readonly reportedVersion: number;
}

/** Every kind of change the hub persists. */
export type HubChange =
  /** Shared access policies generated or replaced (first start). */
  | { readonly kind: 'policiesSet'; readonly policies: Readonly<Record<string, AccessPolicy>> }
  /** A device identity created (with its fresh twin) or its identity fields updated (the twin inside is unchanged). */
  | { readonly kind: 'devicePut'; readonly record: DeviceRecord }
  /** A device deleted, and with it its modules, C2D queue and twin change logs. */
  | { readonly kind: 'deviceDeleted'; readonly deviceId: string }
  /** A module identity created (with its fresh twin) or its identity fields updated. */
  | { readonly kind: 'modulePut'; readonly record: ModuleRecord }
  | { readonly kind: 'moduleDeleted'; readonly deviceId: string; readonly moduleId: string }
  | TwinWritten
  /** The IoT Plug and Play model id a device or module announced when it connected. */
  | { readonly kind: 'modelIdSet'; readonly target: TwinAddress; readonly modelId: string }
  /** A persistent MQTT session's subscriptions (empty: the session is gone). */
  | { readonly kind: 'sessionSaved'; readonly clientId: string; readonly subscriptions: readonly StoredSubscription[] }
  | { readonly kind: 'c2dEnqueued'; readonly deviceId: string; readonly message: StoredC2dMessage }
  /** A C2D message handed to the device once more without a PUBACK. */
  | { readonly kind: 'c2dDelivered'; readonly deviceId: string; readonly messageId: string; readonly deliveryCount: number }
  | { readonly kind: 'c2dRemoved'; readonly deviceId: string; readonly messageIds: readonly string[]; readonly outcome: C2dRemoval }
  /** A CA certificate uploaded, given a verification code, or verified (iothub-protocol-2.md §1.3). */
  | { readonly kind: 'caCertificatePut'; readonly record: CaCertificateRecord }
  | { readonly kind: 'caCertificateDeleted'; readonly name: string }
  /** A consumer group of the built-in endpoint created, or deleted (by lower-case name). */
  | { readonly kind: 'consumerGroupPut'; readonly record: ConsumerGroupRecord }
  | { readonly kind: 'consumerGroupDeleted'; readonly name: string }
  /** A scheduled job created or its status changed (its device rows are kept). */
  | { readonly kind: 'jobPut'; readonly job: JobRecord }
  /** Device rows of a job added or updated (merged by device id). */
  | { readonly kind: 'jobDevicesPut'; readonly jobId: string; readonly devices: readonly DeviceJobRecord[] }
  /** A finished job dropped from the history (retention). */
  | { readonly kind: 'jobDeleted'; readonly jobId: string }
  /** A configuration (automatic device management) created or updated. */
  | { readonly kind: 'configurationPut'; readonly record: ConfigurationRecord }
  | { readonly kind: 'configurationDeleted'; readonly id: string }
  /** The configurations that target a twin and their status (`configurations` of the twin; no version step). */
  /** The hub's message routing replaced (routes, endpoints, enrichments; iothub-protocol-2.md §6). */
  | { readonly kind: 'routingSet'; readonly routing: RoutingConfig }
  | { readonly kind: 'twinConfigurationsSet'; readonly target: TwinAddress; readonly configurations: TwinConfigurations }
  /** A twin's whole change log replaced (a hub snapshot restored); an empty list drops it. */
  | { readonly kind: 'twinHistorySet'; readonly target: TwinAddress; readonly entries: readonly TwinHistoryEntry[] }
  | ProvisioningChange;

/** Changes of the provisioning service (DPS) that lives in the hub. */
export type ProvisioningChange =
  /** The DPS instance (id scope, service policies) minted on first start. */
  | { readonly kind: 'dpsInstanceSet'; readonly instance: DpsInstance }
  | { readonly kind: 'enrollmentPut'; readonly record: EnrollmentRecord }
  | { readonly kind: 'enrollmentDeleted'; readonly registrationId: string }
  | { readonly kind: 'enrollmentGroupPut'; readonly record: EnrollmentGroupRecord }
  | { readonly kind: 'enrollmentGroupDeleted'; readonly enrollmentGroupId: string }
  /** A device registration's state after a register call (assigned, disabled, failed). */
  | { readonly kind: 'registrationPut'; readonly record: RegistrationRecord }
  | { readonly kind: 'registrationDeleted'; readonly registrationId: string };

/** The kinds of change records. */
export type HubChangeKind = HubChange['kind'];
