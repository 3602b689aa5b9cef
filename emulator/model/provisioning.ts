import type { JsonObject, JsonValue } from './json.js';

// The Device Provisioning Service (DPS) records the hub keeps (iothub-protocol-2.md §2): its instance (id scope and
// service policy), individual enrollments, enrollment groups and the registration state of each registration id.
// Replaced, never mutated, like every other record of the hub state.

/** Rights of a DPS shared access policy (iothub-protocol-2.md §2.9). */
export type DpsRight = 'ServiceConfig' | 'EnrollmentRead' | 'EnrollmentWrite' | 'RegistrationStatusRead' | 'RegistrationStatusWrite';

/** A DPS shared access policy (`provisioningserviceowner`). */
export interface DpsPolicy {
  readonly keyName: string;
  readonly primaryKey: string;
  readonly secondaryKey: string;
  readonly rights: readonly DpsRight[];
}

/** The provisioning service that lives in this hub: its id scope and service policies (minted on first start). */
export interface DpsInstance {
  /** `0ne` + 8 hex digits, stable for the data dir. */
  readonly idScope: string;
  readonly policies: Readonly<Record<string, DpsPolicy>>;
}

/** Symmetric-key attestation with both keys (generated when the enrollment was created without them). */
export interface SymmetricKeyAttestation {
  readonly type: 'symmetricKey';
  readonly symmetricKey: { readonly primaryKey: string; readonly secondaryKey: string };
}

/**
 * How an enrollment proves a device. Symmetric key is the one the emulator verifies today; X.509 is the next kind
 * (`emulator/provisioning/attestation.ts` is the plug-in point), kept as sent so it round-trips.
 */
export type EnrollmentAttestation = SymmetricKeyAttestation | { readonly type: 'x509'; readonly x509: JsonObject };

/** `{updateHubAssignment, migrateDeviceData}` (iothub-protocol-2.md §2.8). */
export interface ReprovisionPolicy {
  readonly updateHubAssignment: boolean;
  readonly migrateDeviceData: boolean;
}

/** `{tags, properties: {desired}}` applied to the hub twin when DPS creates the device. */
export interface InitialTwin {
  readonly tags: JsonObject;
  readonly desired: JsonObject;
}

/** What individual enrollments and enrollment groups share. */
export interface EnrollmentCommon {
  readonly attestation: EnrollmentAttestation;
  readonly provisioningStatus: 'enabled' | 'disabled';
  readonly initialTwin: InitialTwin | null;
  readonly reprovisionPolicy: ReprovisionPolicy;
  readonly iotEdge: boolean;
  /** Allocation fields as sent (the one hub answers every policy); kept so they round-trip. */
  readonly allocationPolicy: string | null;
  readonly iotHubs: readonly string[];
  readonly iotHubHostName: string | null;
  readonly customAllocationDefinition: JsonObject | null;
  /** Quoted, as DPS sends it. */
  readonly etag: string;
  readonly createdDateTimeUtc: string;
  readonly lastUpdatedDateTimeUtc: string;
}

/** An individual enrollment, keyed by its registration id (lower case). */
export interface EnrollmentRecord extends EnrollmentCommon {
  readonly registrationId: string;
  /** The hub device id to create; the registration id when null. */
  readonly deviceId: string | null;
}

/** An enrollment group, keyed by its id (lower case). */
export interface EnrollmentGroupRecord extends EnrollmentCommon {
  readonly enrollmentGroupId: string;
}

/** Registration status values (iothub-protocol-2.md §2.5). */
export type RegistrationStatus = 'unassigned' | 'assigning' | 'assigned' | 'failed' | 'disabled';

/** What happened to a device's registration, per registration id (the service's "device registration state"). */
export interface RegistrationRecord {
  readonly registrationId: string;
  readonly status: RegistrationStatus;
  readonly substatus: string | null;
  readonly deviceId: string | null;
  readonly assignedHub: string | null;
  /** Set when the device matched an enrollment group; absent for individual enrollments. */
  readonly enrollmentGroupId: string | null;
  /** The attestation type that proved the device (`symmetricKey`). */
  readonly attestationType: string;
  readonly errorCode: number | null;
  readonly errorMessage: string | null;
  /** What a custom-allocation webhook answered as `payload`, returned to the device; absent otherwise. */
  readonly payload?: JsonValue;
  readonly etag: string;
  readonly createdDateTimeUtc: string;
  readonly lastUpdatedDateTimeUtc: string;
}

/** Registration ids and enrollment group ids are case-insensitive: the map key is the lower-case id. */
export function provisioningKey(id: string): string {
  return id.toLowerCase();
}
