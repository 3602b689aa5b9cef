import type { CaCertificateRecord } from './ca-certificate.js';
import type { ConsumerGroupRecord } from './consumer-group.js';
import type { DeviceAuthentication, DeviceRecord } from './device.js';
import type { DpsInstance, EnrollmentGroupRecord, EnrollmentRecord, RegistrationRecord } from './provisioning.js';
import type { ConfigurationRecord } from './configuration.js';
import type { StoredJob } from './job.js';
import type { RoutingConfig } from './routing.js';
import type { TwinState } from './twin.js';
import type { TwinHistoryEntry } from './twin-history.js';

/** A subscription of a persistent (clean=false) MQTT session. */
export interface StoredSubscription {
  readonly topic: string;
  readonly qos: number;
}

/** Shared access policy with its keys and permissions (iothub-protocol.md §2.3 step 5). */
export interface AccessPolicy {
  readonly keyName: string;
  readonly primaryKey: string;
  readonly secondaryKey: string;
  readonly rights: readonly PolicyRight[];
}

/** Permissions of shared access policies. */
export type PolicyRight = 'RegistryRead' | 'RegistryWrite' | 'ServiceConnect' | 'DeviceConnect';

/** How a C2D sender asked to hear about the fate of a message (`iothub-ack`, iothub-protocol.md §6.3). */
export type C2dAck = 'none' | 'positive' | 'negative' | 'full';

/** A cloud-to-device message waiting in a device's queue (iothub-protocol.md §6.2-6.3). */
export interface StoredC2dMessage {
  readonly messageId: string;
  /** Body, base64. */
  readonly body: string;
  /** System properties by short name (`to`, `cid`, `ct`, `ce`, `uid`, `exp`), delivered as `%24.<name>`. */
  readonly system: Record<string, string>;
  /** Application properties. */
  readonly application: Record<string, string | null>;
  readonly ack: C2dAck;
  readonly enqueuedTime: string;
  readonly expiryTime: string;
  /** How often the message was handed to the device without a PUBACK. */
  readonly deliveryCount: number;
}

/** A module identity of a device with its module twin (iothub-protocol.md §3.6, §8.3). Replaced, never mutated. */
export interface ModuleRecord {
  readonly deviceId: string;
  readonly moduleId: string;
  readonly generationId: string;
  /** Identity version; the module `etag` derives from it. */
  readonly identityVersion: number;
  readonly managedBy: string | null;
  readonly authentication: DeviceAuthentication;
  readonly lastActivityTime: string;
  readonly twin: TwinState;
}

/**
 * Everything the hub persists, as one document. Services replace the records inside it (never mutate a record
 * in place) and then commit through the store; see `store.ts`.
 */
export interface HubState {
  schemaVersion: typeof SCHEMA_VERSION;
  /** Shared access policies, generated on first start. */
  policies: Record<string, AccessPolicy>;
  devices: Record<string, DeviceRecord>;
  /** Durable MQTT session subscriptions by client id (sdk-notes.md §6.1). */
  sessions: Record<string, StoredSubscription[]>;
  /** Pending C2D messages by device id, oldest first. Data files written before C2D existed lack it. */
  c2dQueues: Record<string, StoredC2dMessage[]>;
  /** Module identities by device id, then module id. */
  modules: Record<string, Record<string, ModuleRecord>>;
  /** The twin change log by twin key (`twinKey`: `d1` or `d1/m1`), oldest first, bounded per twin. */
  twinHistory: Record<string, TwinHistoryEntry[]>;
  /** CA certificates registered for X.509 CA authentication, by name. Data files written before X.509 lack it. */
  caCertificates: Record<string, CaCertificateRecord>;
  /** Consumer groups of the built-in endpoint besides `$Default`, by lower-case name. Older files lack it. */
  consumerGroups: Record<string, ConsumerGroupRecord>;
  /** The provisioning service of this hub by id scope (one entry, minted on first start). Older files lack it. */
  dpsInstances: Record<string, DpsInstance>;
  /** DPS individual enrollments by lower-case registration id. Older files lack it. */
  enrollments: Record<string, EnrollmentRecord>;
  /** DPS enrollment groups by lower-case group id. Older files lack it. */
  enrollmentGroups: Record<string, EnrollmentGroupRecord>;
  /** DPS device registration states by lower-case registration id. Older files lack it. */
  registrations: Record<string, RegistrationRecord>;
  /** Scheduled jobs (jobs v2) with their device rows, by job id. Data files written before jobs existed lack it. */
  jobs: Record<string, StoredJob>;
  /** Configurations (automatic device management) by id. Data files written before them lack it. */
  configurations: Record<string, ConfigurationRecord>;
  /** Message routing set through Resource Manager, the CLI or the studio: one entry, `ROUTING_KEY`. Older files lack it. */
  routing: Record<string, RoutingConfig>;
}

/**
 * The current schema version of the state. 1: the whole-document `hub.json` (no journal, `modules` optional, no
 * change log); 2: snapshot + journal. The store migrates 1 to 2 when it opens such a file.
 */
export const SCHEMA_VERSION = 2;

/** An empty hub state (policies are added by the emulator on first start). */
export function emptyHubState(): HubState {
  return {
    schemaVersion: SCHEMA_VERSION,
    policies: {},
    devices: {},
    sessions: {},
    c2dQueues: {},
    modules: {},
    twinHistory: {},
    caCertificates: {},
    consumerGroups: {},
    dpsInstances: {},
    enrollments: {},
    enrollmentGroups: {},
    registrations: {},
    jobs: {},
    configurations: {},
    routing: {},
  };
}
