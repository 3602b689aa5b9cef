/**
 * The single source of truth of the main ↔ renderer contract (house-style H14). Every invoke channel is a key of
 * `requestSchemas` (its run-time payload check) and of `Responses`; every push channel a key of `Pushes`. The
 * Electron preload, the IPC gatekeeper, the browser-mode HTTP host and the renderer all derive from these.
 */
import { z } from 'zod';

import type {
  ClusterStatusDto, ConfigurationDto, DeviceDetails, FaultsStatusDto, DeviceSummary, DigitalTwinDto, EmulatorStatusDto, EnrollmentDto, EventEndpointDto, HubExport, ImportReport, JobDto, MethodResultDto, ProvisioningOverviewDto, QueryPageDto, SettingsDto, SimulationDto, SimulationProfileDto, TierUsageDto, TrafficEventDto, TwinAtVersionDto, TwinDocument, TwinHistoryDto, X509DeviceDto,
} from './dto.js';
import { HUB_TIER_NAMES } from './dto.js';
import type { InvokeChannel, PushChannel } from './channel-names.js';
import type { ModuleDetails, ModuleSummary } from './module-dto.js';
import type { SnapshotInfoDto, SnapshotRestoreDto, StepperStateDto } from './teaching-dto.js';
import { jsonObjectSchema, jsonValueSchema, stringMapSchema } from './json-schema.js';

export { INVOKE_CHANNELS, PUSH_CHANNELS, isInvokeChannel, type InvokeChannel, type PushChannel } from './channel-names.js';

const empty = z.strictObject({});
/** iothub-protocol.md §10: device ids are at most 128 characters (the hub checks the alphabet). */
const deviceId = z.string().min(1).max(128);
/** iothub-protocol.md §10: module ids are at most 128 characters (the hub checks the alphabet). */
const moduleId = z.string().min(1).max(128);
const deviceStatus = z.enum(['enabled', 'disabled']);
const port = z.number().int().min(0).max(65535);
/** iothub-protocol-2.md §2.2: registration and enrollment group ids are at most 128 characters. */
const provisioningId = z.string().min(1).max(128);
/** Hub snapshot names: a safe file name (the hub checks the alphabet). */
const snapshotName = z.string().min(1).max(64);

const exportedDevice = z.strictObject({
  deviceId,
  status: deviceStatus,
  statusReason: z.string().max(128).nullable().optional(),
  authentication: z.strictObject({
    type: z.string(),
    symmetricKey: z.strictObject({ primaryKey: z.string(), secondaryKey: z.string() }).optional(),
    x509Thumbprint: z.strictObject({ primaryThumbprint: z.string().max(128).nullable(), secondaryThumbprint: z.string().max(128).nullable() }).optional(),
  }),
  tags: jsonObjectSchema,
  desired: jsonObjectSchema,
  reported: jsonObjectSchema.optional(),
});

/** Export file schema (also checks files chosen for import). */
export const hubExportSchema = z.strictObject({
  format: z.literal('twin-studio-hub'),
  version: z.literal(1),
  exportedAt: z.string(),
  devices: z.array(exportedDevice).max(100_000),
});

/** Settings schema. */
export const studioSettingsSchema = z.strictObject({
  ports: z.strictObject({ mqtts: port, https: port.nullable(), mqtt: port.nullable(), amqps: port.nullable() }),
  dataDir: z.string().min(1).max(4096),
  persistence: z.enum(['file', 'memory']),
  reach: z.enum(['thisComputer', 'network']).optional(),
  /** Twin change log entries kept per twin (default 32, 0 = none). */
  historyLimit: z.number().int().min(0).max(100_000).optional(),
  /** Units: F1 has 1, S3/B3 up to 10, the others up to 200; the hub refuses a count its tier does not allow. */
  tier: z.strictObject({ name: z.enum(HUB_TIER_NAMES), units: z.number().int().min(1).max(200) }).nullable().optional(),
  lenient: z.boolean().optional(),
});

/** Milliseconds a fault lasts or waits: at most a day. */
const faultMs = z.number().int().min(0).max(86_400_000);

/** A fault as the studio sends it (emulator/faults/fault-spec.ts has the full rules per fault). */
const faultSpecSchema = z.strictObject({
  fault: z.enum(['drop', 'refuseConnections', 'latency', 'lossQos0', 'expireToken', 'methodTimeout', 'hubDown', 'hubUp', 'sdk', 'clear']),
  device: deviceId.optional(),
  durationMs: faultMs.optional(),
  latencyMs: faultMs.optional(),
  jitterMs: faultMs.optional(),
  fraction: z.number().min(0).max(1).optional(),
  type: z.string().min(1).max(64).optional(),
  delayMs: faultMs.optional(),
  closeReason: z.string().max(256).optional(),
});

/** Run-time checks of every request payload; the keys are the invoke channel names. */
export const requestSchemas = {
  'emulator.status': empty,
  /** Deletes every device; `confirm` must be the literal word so a stray call cannot wipe the hub. */
  'emulator.reset': z.strictObject({ confirm: z.literal('reset') }),
  'emulator.export': z.strictObject({ includeReported: z.boolean().optional() }),
  'emulator.import': z.strictObject({ data: hubExportSchema, overwrite: z.boolean() }),
  /** What tier emulation has counted (the quota meter); null when it is off. */
  'emulator.tierUsage': empty,
  /** The hub cluster this hub is a node of (docs/cluster.md): its nodes, device counts and liveness; null when alone. */
  'emulator.cluster': empty,
  'settings.get': empty,
  /** Saves the settings and restarts the hub with them. */
  'settings.update': z.strictObject({ settings: studioSettingsSchema }),
  'devices.list': empty,
  'devices.get': z.strictObject({ deviceId }),
  'devices.create': z.strictObject({ deviceId, status: deviceStatus.optional() }),
  /** Registers a new device authenticated by X.509 with a certificate from the hub's built-in test PKI. */
  'devices.createWithCertificate': z.strictObject({ deviceId, mode: z.enum(['selfSigned', 'caSigned']) }),
  'devices.setStatus': z.strictObject({ deviceId, status: deviceStatus, statusReason: z.string().max(128).nullable().optional() }),
  'devices.delete': z.strictObject({ deviceId }),
  /** Module identities of a device (iothub-protocol.md §3.6), as `GET /devices/{id}/modules` lists them. */
  'modules.list': z.strictObject({ deviceId }),
  /** One module with its connection string. */
  'modules.get': z.strictObject({ deviceId, moduleId }),
  /** Creates a module identity with generated symmetric keys (`PUT /devices/{id}/modules/{mid}` without If-Match). */
  'modules.create': z.strictObject({ deviceId, moduleId, managedBy: z.string().max(128).nullable().optional() }),
  'modules.delete': z.strictObject({ deviceId, moduleId }),
  /** The service twin of a device, or of one of its modules when `moduleId` is given (the same twin path). */
  'twin.get': z.strictObject({ deviceId, moduleId: moduleId.optional() }),
  /** Service PATCH (iothub-protocol.md §7.4): merge tags / desired; `null` deletes. The etag is mandatory. */
  'twin.update': z.strictObject({
    deviceId,
    moduleId: moduleId.optional(),
    patch: z.strictObject({ tags: jsonObjectSchema.nullable().optional(), desired: jsonObjectSchema.nullable().optional() }),
    etag: z.string().min(1).max(256),
  }),
  /** Service PUT: replace tags and desired entirely. */
  'twin.replace': z.strictObject({ deviceId, moduleId: moduleId.optional(), tags: jsonObjectSchema, desired: jsonObjectSchema, etag: z.string().min(1).max(256) }),
  /** The twin's change log (bounded per twin, persisted with the hub). */
  'twin.history': z.strictObject({ deviceId, moduleId: moduleId.optional() }),
  /** The twin as it was at a version still in its change log. */
  'twin.atVersion': z.strictObject({ deviceId, moduleId: moduleId.optional(), version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
  /** iothub-protocol.md §9.1: query text ≤ 8192 characters; pages ≤ 1000 items. */
  'query.run': z.strictObject({
    query: z.string().min(1).max(8192),
    pageSize: z.number().int().min(1).max(1000).optional(),
    continuation: z.string().max(4096).optional(),
  }),
  /** iothub-protocol.md §10: response timeout 5–300 s, connect timeout 0–300 s. */
  'methods.invoke': z.strictObject({
    deviceId,
    methodName: z.string().min(1).max(128),
    payload: jsonValueSchema,
    responseTimeoutInSeconds: z.number().int().min(5).max(300),
    connectTimeoutInSeconds: z.number().int().min(0).max(300).optional(),
  }),
  /**
   * iothub-protocol.md §10: C2D messages ≤ 64 KB, counted in UTF-8 bytes by the hub (MessageTooLarge names them);
   * the schema only bounds the string (a UTF-16 code unit is at most 3 UTF-8 bytes).
   */
  'c2d.send': z.strictObject({
    deviceId,
    body: z.string().max(65_536 * 3),
    properties: stringMapSchema({ maxKey: 128, maxValue: 1024 }).optional(),
  }),
  'traffic.snapshot': empty,
  /** The built-in Event Hub-compatible endpoint as a consumer sees it: partitions, routes, the newest events. */
  'traffic.endpoint': empty,
  /** Replaces the hub's routing (routes, endpoints, enrichments) with Resource Manager's `properties.routing` object. */
  'traffic.setRouting': z.strictObject({ routing: jsonObjectSchema }),
  'simulations.list': empty,
  'simulations.profiles': empty,
  /** Registers the device if needed and starts simulating it with a built-in profile (by name). */
  'simulations.create': z.strictObject({ deviceId, profile: z.string().min(1).max(256) }),
  'simulations.setRunState': z.strictObject({ deviceId, runState: z.enum(['running', 'paused', 'stopped']) }),
  'simulations.remove': z.strictObject({ deviceId, deleteDevice: z.boolean().optional() }),
  /** "Apply on click": the device receives desired changes but applies and reports them only on `applyDesired`. */
  'simulations.setApplyOnClick': z.strictObject({ deviceId, on: z.boolean() }),
  'simulations.applyDesired': z.strictObject({ deviceId }),
  'provisioning.overview': empty,
  /** Creates or updates a symmetric-key individual enrollment (keys generated when omitted). */
  'provisioning.putEnrollment': z.strictObject({
    registrationId: provisioningId,
    deviceId: deviceId.nullable().optional(),
    provisioningStatus: deviceStatus,
    tags: jsonObjectSchema.optional(),
    desired: jsonObjectSchema.optional(),
  }),
  /** Creates or updates a symmetric-key enrollment group. */
  'provisioning.putGroup': z.strictObject({ enrollmentGroupId: provisioningId, provisioningStatus: deviceStatus, tags: jsonObjectSchema.optional(), desired: jsonObjectSchema.optional() }),
  'provisioning.remove': z.strictObject({ kind: z.enum(['individual', 'group', 'registration']), id: provisioningId }),
  /** A group member's device key: HMAC-SHA256(group key, registration id). */
  'provisioning.deriveKey': z.strictObject({ groupKey: z.string().min(1).max(128), registrationId: provisioningId }),
  'jobs.list': empty,
  /** A job as `PUT /jobs/v2/{id}` takes it (iothub-protocol-2.md §7.2); the hub checks the body as REST does. */
  'jobs.schedule': z.strictObject({ jobId: z.string().min(1).max(128), job: jsonObjectSchema }),
  'jobs.cancel': z.strictObject({ jobId: z.string().min(1).max(128) }),
  'configurations.list': empty,
  /** A configuration as `PUT /configurations/{id}` takes it (§8.2); `etag` absent creates, given updates (`*` forces). */
  'configurations.put': z.strictObject({ id: z.string().min(1).max(128), configuration: jsonObjectSchema, etag: z.string().min(1).max(256).optional() }),
  'configurations.delete': z.strictObject({ id: z.string().min(1).max(128) }),
  /** The IoT Plug and Play digital twin of a device (iothub-protocol-2.md §9.2). */
  'pnp.digitalTwin': z.strictObject({ deviceId }),
  /** A Plug and Play command: the direct method `commandName` or `component*commandName` (§9.4). */
  'pnp.invokeCommand': z.strictObject({
    deviceId,
    component: z.string().min(1).max(64).optional(),
    commandName: z.string().min(1).max(128),
    payload: jsonValueSchema,
    responseTimeoutInSeconds: z.number().int().min(5).max(300),
  }),
  /** Hub snapshots (issue 18): devices, modules, twins, C2D queues and change logs, saved by name. */
  'snapshots.list': empty,
  'snapshots.save': z.strictObject({ name: snapshotName }),
  'snapshots.restore': z.strictObject({ name: snapshotName }),
  'snapshots.remove': z.strictObject({ name: snapshotName }),
  /** Step-through: hold desired notifications, method requests and C2D deliveries to devices until released. */
  'stepper.state': empty,
  'stepper.configure': z.strictObject({ enabled: z.boolean(), deviceIds: z.array(deviceId).max(1000).nullable() }),
  /** Releases one held message: `id`, or the oldest (of `deviceId`). */
  'stepper.release': z.strictObject({ id: z.number().int().min(1).optional(), deviceId: deviceId.optional() }),
  'stepper.releaseAll': empty,
  /** Injected faults (emulator/faults/README.md): what is in force, whether the hub is down. */
  'faults.status': empty,
  /** Applies one fault now; the hub checks every field (a bad one names itself in the error). */
  'faults.inject': z.strictObject({ spec: faultSpecSchema }),
  /** Ends the timed faults of one device, or all of them (and brings a down hub back). */
  'faults.clear': z.strictObject({ deviceId: deviceId.optional() }),
  /** Whether devices may ask for faults with the SDKs' AzIoTHub_Fault* message properties. */
  'faults.setSdkProperties': z.strictObject({ enabled: z.boolean() }),
} as const satisfies { readonly [K in InvokeChannel]: z.ZodType };

/** The response of every invoke channel. */
export interface Responses {
  'emulator.status': EmulatorStatusDto;
  'emulator.reset': { readonly deleted: number };
  'emulator.export': HubExport;
  'emulator.import': ImportReport;
  'emulator.tierUsage': TierUsageDto;
  'emulator.cluster': ClusterStatusDto;
  'settings.get': SettingsDto;
  'settings.update': SettingsDto;
  'devices.list': DeviceSummary[];
  'devices.get': DeviceDetails;
  'devices.create': DeviceDetails;
  'devices.createWithCertificate': X509DeviceDto;
  'devices.setStatus': DeviceSummary;
  'devices.delete': { readonly deviceId: string };
  'modules.list': ModuleSummary[];
  'modules.get': ModuleDetails;
  'modules.create': ModuleDetails;
  'modules.delete': { readonly deviceId: string; readonly moduleId: string };
  'twin.get': TwinDocument;
  'twin.update': TwinDocument;
  'twin.replace': TwinDocument;
  'twin.history': TwinHistoryDto;
  'twin.atVersion': TwinAtVersionDto;
  'query.run': QueryPageDto;
  'methods.invoke': MethodResultDto;
  'c2d.send': { readonly messageId: string };
  'traffic.snapshot': TrafficEventDto[];
  'traffic.endpoint': EventEndpointDto;
  'traffic.setRouting': EventEndpointDto;
  'simulations.list': SimulationDto[];
  'simulations.profiles': SimulationProfileDto[];
  'simulations.create': SimulationDto;
  'simulations.setRunState': SimulationDto;
  'simulations.remove': { readonly deviceId: string };
  'simulations.setApplyOnClick': SimulationDto;
  'simulations.applyDesired': SimulationDto;
  'provisioning.overview': ProvisioningOverviewDto;
  'provisioning.putEnrollment': EnrollmentDto;
  'provisioning.putGroup': EnrollmentDto;
  'provisioning.remove': { readonly id: string };
  'provisioning.deriveKey': { readonly key: string };
  'jobs.list': JobDto[];
  'jobs.schedule': JobDto;
  'jobs.cancel': JobDto;
  'configurations.list': ConfigurationDto[];
  'configurations.put': ConfigurationDto;
  'configurations.delete': { readonly id: string };
  'pnp.digitalTwin': DigitalTwinDto;
  'pnp.invokeCommand': MethodResultDto;
  'snapshots.list': SnapshotInfoDto[];
  'snapshots.save': SnapshotInfoDto;
  'snapshots.restore': SnapshotRestoreDto;
  'snapshots.remove': { readonly removed: boolean };
  'stepper.state': StepperStateDto;
  'stepper.configure': StepperStateDto;
  'stepper.release': StepperStateDto;
  'stepper.releaseAll': StepperStateDto;
  'faults.status': FaultsStatusDto;
  'faults.inject': FaultsStatusDto;
  'faults.clear': FaultsStatusDto;
  'faults.setSdkProperties': FaultsStatusDto;
}

/** Invoke channel → request and response types (house-style H14). */
export type Invokes = {
  [K in InvokeChannel]: { req: z.output<(typeof requestSchemas)[K]>; res: Responses[K] };
};

/** Why a device row changed. */
export type DeviceChangeReason = 'created' | 'updated' | 'deleted' | 'connection' | 'twin';

/** Push channel → payload (its keys must be exactly PUSH_CHANNELS, checked below). */
export interface Pushes {
  /** Wire traffic, batched (house-style H16). */
  'traffic.batch': readonly TrafficEventDto[];
  /** A device row changed; `device` is absent when it was deleted. */
  'devices.changed': { readonly deviceId: string; readonly reason: DeviceChangeReason; readonly device?: DeviceSummary };
  /** A twin was written (by the service side or the device); `moduleId` is set for a module twin. */
  'twin.changed': {
    readonly deviceId: string;
    readonly moduleId?: string;
    readonly sections: readonly ('tags' | 'desired' | 'reported')[];
    readonly version: number;
  };
  /** The hub started, stopped or restarted. */
  'emulator.status': EmulatorStatusDto;
  /** A simulated device changed state or counters (coalesced); `simulation` is absent when it was removed. */
  'simulations.changed': { readonly deviceId: string; readonly simulation?: SimulationDto };
  /** DPS enrollments, groups or registration states changed (coalesced; ask `provisioning.overview` again). */
  'provisioning.changed': { readonly kinds: readonly string[] };
  /** A cloud-to-device message left the queue: completed (`Success`), rejected, expired, dead-lettered or purged. */
  'c2d.settled': { readonly deviceId: string; readonly messageId: string; readonly outcome: 'Success' | 'Expired' | 'DeliveryCountExceeded' | 'Rejected' | 'Purged' };
  /** A module identity was created, deleted or (dis)connected (coalesced per module; ask `modules.list` again). */
  'modules.changed': { readonly deviceId: string; readonly moduleId: string; readonly reason: 'created' | 'deleted' | 'connection' };
}

type SameKeys<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : false;
/** Compile-time proof that the schema table and the push map cover exactly the channel names. */
export const CHANNELS_MATCH: SameKeys<keyof typeof requestSchemas, InvokeChannel> & SameKeys<keyof Pushes, PushChannel> = true;
