import { z } from 'zod';

import { isJsonObject } from '../model/json.js';

// The shape of every record the store loads from disk (`hub.json` maps, journal frames), checked once at open so
// that a hand-edited or damaged record stops the hub at start, naming the record and the field, instead of
// throwing later inside a request (an aedes hook, a list, a query). The schemas check what the code walks; unknown
// extra fields are allowed (older and newer files). The checked value is kept, not zod's output: zod drops keys
// named `__proto__`, which are legal ids and twin keys (util/own-keys.ts).

const jsonObject = z.custom<Record<string, unknown>>(isJsonObject, 'expected a JSON object');
const count = z.number().int().nonnegative();
const text = z.string();

const authentication = z.looseObject({
  type: z.enum(['sas', 'selfSigned', 'certificateAuthority', 'none']),
  symmetricKey: z.looseObject({ primaryKey: text, secondaryKey: text }),
  x509Thumbprint: z.looseObject({ primaryThumbprint: text.nullable(), secondaryThumbprint: text.nullable() }),
});

const section = z.looseObject({ data: jsonObject, metadata: jsonObject, version: count });

const twin = z.looseObject({
  tags: jsonObject,
  desired: section,
  reported: section,
  version: count,
  modelId: text.optional(),
  configurations: z.record(z.string(), z.looseObject({ status: z.enum(['Targeted', 'Applied']) })).optional(),
});

const identity = {
  generationId: text,
  identityVersion: count,
  authentication,
  twin,
};

const policy = z.looseObject({
  keyName: text,
  primaryKey: text,
  secondaryKey: text,
  rights: z.array(z.enum(['RegistryRead', 'RegistryWrite', 'ServiceConnect', 'DeviceConnect'])),
});

const device = z.looseObject({
  deviceId: text,
  ...identity,
  status: z.enum(['enabled', 'disabled']),
  statusReason: text.nullable().optional(),
});

const module = z.looseObject({ deviceId: text, moduleId: text, ...identity });

const subscription = z.looseObject({ topic: text, qos: z.number().int().min(0).max(2) });

const stringMap = z.custom<Record<string, unknown>>((value) => isJsonObject(value) && Object.values(value).every((entry) => typeof entry === 'string'), 'expected an object of strings');
const nullableStringMap = z.custom<Record<string, unknown>>(
  (value) => isJsonObject(value) && Object.values(value).every((entry) => entry === null || typeof entry === 'string'),
  'expected an object of strings or nulls',
);

const c2dMessage = z.looseObject({
  messageId: text,
  body: text,
  system: stringMap,
  application: nullableStringMap,
  ack: z.enum(['none', 'positive', 'negative', 'full']),
  enqueuedTime: text,
  expiryTime: text,
  deliveryCount: count,
});

const sectionChange = z.looseObject({ mode: z.enum(['merge', 'replace']), patch: jsonObject });

const historyEntry = z.looseObject({
  version: count,
  time: text,
  writer: text,
  changes: z.looseObject({ tags: sectionChange.optional(), desired: sectionChange.optional(), reported: sectionChange.optional() }),
  inverse: z.looseObject({ tags: jsonObject.optional(), desired: jsonObject.optional(), reported: jsonObject.optional() }),
  desiredVersion: count,
  reportedVersion: count,
});

const consumerGroup = z.looseObject({ name: text, created: text });

const caCertificate = z.looseObject({
  name: text,
  certificate: text,
  subject: text,
  thumbprint: text,
  expiry: text,
  isVerified: z.boolean(),
  created: text,
  updated: text,
  etag: text,
  verificationCode: text.nullable(),
});

const address = z.looseObject({ deviceId: text, moduleId: text.optional() });

const dpsPolicy = z.looseObject({
  keyName: text,
  primaryKey: text,
  secondaryKey: text,
  rights: z.array(z.enum(['ServiceConfig', 'EnrollmentRead', 'EnrollmentWrite', 'RegistrationStatusRead', 'RegistrationStatusWrite'])),
});

const dpsInstance = z.looseObject({ idScope: text, policies: z.record(z.string(), dpsPolicy) });

const attestation = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('symmetricKey'), symmetricKey: z.looseObject({ primaryKey: text, secondaryKey: text }) }),
  z.looseObject({ type: z.literal('x509'), x509: jsonObject }),
]);

const enrollmentCommon = {
  attestation,
  provisioningStatus: z.enum(['enabled', 'disabled']),
  initialTwin: z.looseObject({ tags: jsonObject, desired: jsonObject }).nullable(),
  reprovisionPolicy: z.looseObject({ updateHubAssignment: z.boolean(), migrateDeviceData: z.boolean() }),
  iotEdge: z.boolean(),
  allocationPolicy: text.nullable(),
  iotHubs: z.array(text),
  iotHubHostName: text.nullable(),
  customAllocationDefinition: jsonObject.nullable(),
  etag: text,
  createdDateTimeUtc: text,
  lastUpdatedDateTimeUtc: text,
};

const enrollment = z.looseObject({ registrationId: text, deviceId: text.nullable(), ...enrollmentCommon });

const enrollmentGroup = z.looseObject({ enrollmentGroupId: text, ...enrollmentCommon });

const registration = z.looseObject({
  registrationId: text,
  status: z.enum(['unassigned', 'assigning', 'assigned', 'failed', 'disabled']),
  substatus: text.nullable(),
  deviceId: text.nullable(),
  assignedHub: text.nullable(),
  enrollmentGroupId: text.nullable(),
  attestationType: text,
  errorCode: z.number().int().nullable(),
  errorMessage: text.nullable(),
  etag: text,
  createdDateTimeUtc: text,
  lastUpdatedDateTimeUtc: text,
});

const jobRecord = z.looseObject({
  jobId: text,
  type: z.enum(['scheduleUpdateTwin', 'scheduleDeviceMethod']),
  queryCondition: text,
  createdTime: text,
  startTime: text,
  endTime: text.nullable(),
  maxExecutionTimeInSeconds: count,
  updateTwin: jsonObject.nullable(),
  cloudToDeviceMethod: z.looseObject({ methodName: text, responseTimeoutInSeconds: count, connectTimeoutInSeconds: count }).nullable(),
  status: z.enum(['queued', 'scheduled', 'running', 'completed', 'failed', 'cancelled']),
  failureReason: text.nullable(),
  statusMessage: text.nullable(),
});

const deviceJob = z.looseObject({
  deviceId: text,
  status: z.enum(['pending', 'scheduled', 'running', 'completed', 'failed', 'canceled']),
  startTimeUtc: text.nullable(),
  endTimeUtc: text.nullable(),
  createdDateTimeUtc: text,
  lastUpdatedDateTimeUtc: text,
  outcome: jsonObject.nullable(),
  error: z.looseObject({ code: text, description: text }).nullable(),
});

const configuration = z.looseObject({
  id: text,
  schemaVersion: text,
  labels: stringMap,
  content: z.looseObject({ deviceContent: jsonObject.optional(), moduleContent: jsonObject.optional(), modulesContent: jsonObject.optional() }),
  targetCondition: text,
  priority: count,
  createdTimeUtc: text,
  lastUpdatedTimeUtc: text,
  metricQueries: stringMap,
  version: count,
});

const storedJob = z.looseObject({
  job: jobRecord,
  devices: z.custom<Record<string, unknown>>(
    (value) => isJsonObject(value) && Object.values(value).every((entry) => deviceJob.safeParse(entry).success),
    'expected an object of device job rows',
  ),
});

const routeSource = z.enum(['DeviceMessages', 'TwinChangeEvents', 'DeviceLifecycleEvents', 'DeviceConnectionStateEvents']);
const named = { name: text };
const routingConfig = z.looseObject({
  routes: z.array(z.looseObject({ name: text, source: routeSource, condition: text.optional(), endpointNames: z.array(text), isEnabled: z.boolean() })),
  fallbackEnabled: z.boolean(),
  endpoints: z.looseObject({
    eventHubs: z.array(z.looseObject({ ...named, entityPath: text.optional(), connectionString: text.optional(), partitionCount: count.optional() })),
    storageContainers: z.array(z.looseObject({ ...named, containerName: text, maxChunkSizeInBytes: count.optional() })),
    webhooks: z.array(z.looseObject({ ...named, url: text, headers: stringMap.optional() })),
  }),
  enrichments: z.array(z.looseObject({ key: text, value: text, endpointNames: z.array(text) })),
});

/** Schemas of the records inside each `hub.json` map, by map name (a map's values, keyed by id). */
export const MAP_VALUE_SCHEMAS = {
  policies: policy,
  devices: device,
  sessions: z.array(subscription),
  c2dQueues: z.array(c2dMessage),
  modules: z.custom<Record<string, unknown>>(isJsonObject, 'expected an object of modules by module id'),
  twinHistory: z.array(historyEntry),
  caCertificates: caCertificate,
  consumerGroups: consumerGroup,
  dpsInstances: dpsInstance,
  enrollments: enrollment,
  enrollmentGroups: enrollmentGroup,
  registrations: registration,
  jobs: storedJob,
  configurations: configuration,
  routing: routingConfig,
} as const;

/** The field of a provisioning record that, lower-cased, must be its map key (ids are case-insensitive). */
const PROVISIONING_KEY_FIELDS: Readonly<Record<string, string>> = {
  dpsInstances: 'idScope',
  enrollments: 'registrationId',
  enrollmentGroups: 'enrollmentGroupId',
  registrations: 'registrationId',
};

/** Schema of one module record (the values of `modules[deviceId]`). */
export const MODULE_SCHEMA = module;

/** Schema of one journal change record (`HubChange`). */
export const CHANGE_SCHEMA = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('policiesSet'), policies: z.custom<Record<string, unknown>>(isJsonObject, 'expected an object of policies') }),
  z.looseObject({ kind: z.literal('devicePut'), record: device }),
  z.looseObject({ kind: z.literal('deviceDeleted'), deviceId: text }),
  z.looseObject({ kind: z.literal('modulePut'), record: module }),
  z.looseObject({ kind: z.literal('moduleDeleted'), deviceId: text, moduleId: text }),
  z.looseObject({
    kind: z.literal('twinWritten'),
    target: address,
    time: text,
    writer: z.looseObject({ kind: text }),
    tags: sectionChange.optional(),
    desired: sectionChange.optional(),
    reported: sectionChange.optional(),
    version: count,
    desiredVersion: count,
    reportedVersion: count,
  }),
  z.looseObject({ kind: z.literal('dpsInstanceSet'), instance: dpsInstance }),
  z.looseObject({ kind: z.literal('enrollmentPut'), record: enrollment }),
  z.looseObject({ kind: z.literal('enrollmentDeleted'), registrationId: text }),
  z.looseObject({ kind: z.literal('enrollmentGroupPut'), record: enrollmentGroup }),
  z.looseObject({ kind: z.literal('enrollmentGroupDeleted'), enrollmentGroupId: text }),
  z.looseObject({ kind: z.literal('registrationPut'), record: registration }),
  z.looseObject({ kind: z.literal('registrationDeleted'), registrationId: text }),
  z.looseObject({ kind: z.literal('modelIdSet'), target: address, modelId: text }),
  z.looseObject({ kind: z.literal('sessionSaved'), clientId: text, subscriptions: z.array(subscription) }),
  z.looseObject({ kind: z.literal('c2dEnqueued'), deviceId: text, message: c2dMessage }),
  z.looseObject({ kind: z.literal('c2dDelivered'), deviceId: text, messageId: text, deliveryCount: count }),
  z.looseObject({
    kind: z.literal('c2dRemoved'),
    deviceId: text,
    messageIds: z.array(text),
    outcome: z.enum(['Success', 'Expired', 'DeliveryCountExceeded', 'Rejected', 'Purged']),
  }),
  z.looseObject({ kind: z.literal('caCertificatePut'), record: caCertificate }),
  z.looseObject({ kind: z.literal('caCertificateDeleted'), name: text }),
  z.looseObject({ kind: z.literal('consumerGroupPut'), record: consumerGroup }),
  z.looseObject({ kind: z.literal('consumerGroupDeleted'), name: text }),
  z.looseObject({ kind: z.literal('jobPut'), job: jobRecord }),
  z.looseObject({ kind: z.literal('jobDevicesPut'), jobId: text, devices: z.array(deviceJob) }),
  z.looseObject({ kind: z.literal('jobDeleted'), jobId: text }),
  z.looseObject({ kind: z.literal('configurationPut'), record: configuration }),
  z.looseObject({ kind: z.literal('configurationDeleted'), id: text }),
  z.looseObject({ kind: z.literal('routingSet'), routing: routingConfig }),
  z.looseObject({ kind: z.literal('twinHistorySet'), target: address, entries: z.array(historyEntry) }),
  z.looseObject({
    kind: z.literal('twinConfigurationsSet'),
    target: address,
    configurations: z.record(z.string(), z.looseObject({ status: z.enum(['Targeted', 'Applied']) })),
  }),
]);

/** `a.b[0]["odd key"]` for an issue path below `base`. */
export function fieldPath(base: string, path: readonly PropertyKey[]): string {
  let result = base;
  for (const segment of path) {
    if (typeof segment === 'number') result += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) result += `.${segment}`;
    else result += `[${JSON.stringify(String(segment))}]`;
  }
  return result;
}

/** The first problem of `value` against `schema`, as `<path>: <message>`, or undefined when it fits. */
export function firstProblem(schema: z.ZodType, value: unknown, base: string): string | undefined {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  const [issue] = result.error.issues;
  if (!issue) return `${base}: invalid`;
  return `${fieldPath(base, issue.path)}: ${issue.message}`;
}

/**
 * The first damaged record in the maps of a loaded state, as `<map>["<id>"].<field>: <message>`, or undefined.
 * Also checks that a device record sits under its own id and a module under its device and module ids.
 */
export function stateProblem(maps: Readonly<Record<keyof typeof MAP_VALUE_SCHEMAS, Record<string, unknown>>>): string | undefined {
  for (const name of Object.keys(MAP_VALUE_SCHEMAS) as (keyof typeof MAP_VALUE_SCHEMAS)[]) {
    const map = maps[name];
    for (const key of Object.keys(map)) {
      const value = map[key];
      const base = fieldPath(name, [key]);
      const problem = firstProblem(MAP_VALUE_SCHEMAS[name], value, base);
      if (problem) return problem;
      if (name === 'devices' && (value as { deviceId: string }).deviceId !== key) return `${base}.deviceId: does not match the key`;
      if (name === 'caCertificates' && (value as { name: string }).name !== key) return `${base}.name: does not match the key`;
      if (name === 'consumerGroups' && (value as { name: string }).name.toLowerCase() !== key) return `${base}.name: does not match the key`;
      const keyField = PROVISIONING_KEY_FIELDS[name];
      if (keyField !== undefined) {
        const id = (value as Record<string, string>)[keyField] ?? '';
        if ((name === 'dpsInstances' ? id : id.toLowerCase()) !== key) return `${base}.${keyField}: does not match the key`;
      }
      if (name === 'modules') {
        const modules = value as Record<string, unknown>;
        for (const moduleId of Object.keys(modules)) {
          const record = modules[moduleId];
          const moduleBase = fieldPath(name, [key, moduleId]);
          const moduleProblem = firstProblem(MODULE_SCHEMA, record, moduleBase);
          if (moduleProblem) return moduleProblem;
          const ids = record as { deviceId: string; moduleId: string };
          if (ids.deviceId !== key || ids.moduleId !== moduleId) return `${moduleBase}: deviceId/moduleId do not match the keys`;
        }
      }
    }
  }
  return undefined;
}

/** The first damaged change record of a journal batch, as `changes[<i>].<field>: <message>`, or undefined. */
export function changesProblem(changes: readonly unknown[]): string | undefined {
  for (let i = 0; i < changes.length; i++) {
    const problem = firstProblem(CHANGE_SCHEMA, changes[i], `changes[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}
