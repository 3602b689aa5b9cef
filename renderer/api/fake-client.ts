import type { JsonObject } from '../../emulator/model/json.js';
import { compileQuery, QueryError } from '../../emulator/query/index.js';
import type {
  EventEndpointDto,
  ConfigurationDto, DeviceDetails, DeviceSummary, EmulatorStatusDto, EndpointEventDto, EnrollmentDto, Envelope, FaultsStatusDto, InvokeChannel, Invokes, JobDto, PushChannel, Pushes, RegistrationDto, SimulationDto, TrafficEventDto, TwinDocument, TwinStudioApi,
} from '../../main/contract/index.js';
import { applyMergePatch } from '../features/twin-editor/json-ops.js';
import { createFakeModules, type FakeModules } from './fake-modules.js';
import { applyFakeTwinPatch, twinSections, type FakeTwin } from './fake-twin.js';

interface FakeDevice extends FakeTwin {
  summary: DeviceSummary;
}

type Call = { readonly channel: InvokeChannel; readonly req: unknown };
type Handler<K extends InvokeChannel> = (req: Invokes[K]['req']) => Envelope<Invokes[K]['res']>;

/** In-memory TwinStudioApi for component tests and UI work without a host (house-style §7 `fake-client.ts`). */
export interface FakeApi extends TwinStudioApi {
  /** Every call made, in order. */
  readonly calls: Call[];
  /** Sends a push to the subscribed components. */
  emit<P extends PushChannel>(channel: P, payload: Pushes[P]): void;
  /** Adds a device directly (as if registered elsewhere). */
  addDevice(deviceId: string, twin?: { tags?: JsonObject; desired?: JsonObject; reported?: JsonObject }): void;
  /** Adds a DPS registration state (as if a device had registered). */
  addRegistration(registration: RegistrationDto): void;
  /** Changes reported properties as a device would (bumps the twin version and etag, pushes twin.changed). */
  report(deviceId: string, patch: JsonObject): void;
  /** Module identities and module twins (add with `modules.create`; `report` as the module would). */
  readonly fakeModules: FakeModules;
  /** Replaces one channel's behaviour. */
  override<K extends InvokeChannel>(channel: K, handler: Handler<K>): void;
  /** The fake's own behaviour of a channel (for an override that wraps it). */
  original<K extends InvokeChannel>(channel: K): Handler<K>;
  readonly status: EmulatorStatusDto;
}

const STATUS: EmulatorStatusDto = {
  status: 'Running',
  info: { hostName: 'localhost', ports: { mqtts: 8883, https: 443, mqtt: null, amqps: 5671 }, dataDir: '/data', caCertPath: '/data/certs/ca.pem', serviceConnectionString: 'HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=a2V5', addresses: ['localhost', '127.0.0.1', '192.168.1.20'], warnings: [], eventHub: { name: 'localhost', partitions: 4, connectionString: 'Endpoint=sb://localhost/;SharedAccessKeyName=iothubowner;SharedAccessKey=a2V5;EntityPath=localhost' } },
  features: { query: true, methods: true, c2d: true, simulation: true },
  host: 'browser',
};

function fail(code: string, message: string, httpStatus?: number): Envelope<never> {
  return { ok: false, error: { code, message, ...(httpStatus ? { httpStatus } : {}) } };
}

function twinOf(device: FakeDevice): TwinDocument {
  return {
    deviceId: device.summary.deviceId,
    etag: `etag-${device.version}`,
    version: device.version,
    status: device.summary.status,
    connectionState: device.summary.connectionState,
    ...twinSections(device),
  };
}

/** Creates a fake API with an empty running hub. */
/** Events the fake endpoint overview shows (newest first). */
const ENDPOINT_EVENTS: EndpointEventDto[] = [
          { partition: '2', sequenceNumber: 1, offset: '120', enqueuedTime: '2026-01-01T00:00:01.000Z', deviceId: 'dev-1', source: 'twinChangeEvents', body: '{"version":2}', annotations: { 'iothub-message-source': 'twinChangeEvents' }, properties: { opType: 'updateTwin' } },
          { partition: '2', sequenceNumber: 0, offset: '0', enqueuedTime: '2026-01-01T00:00:00.000Z', deviceId: 'dev-1', source: 'Telemetry', body: '{"t":21.5}', annotations: { 'iothub-message-source': 'Telemetry' }, properties: { alert: 'high' } },
];

export function createFakeApi(): FakeApi {
  const devices = new Map<string, FakeDevice>();
  const listeners = new Map<PushChannel, Set<(payload: unknown) => void>>();
  const overrides = new Map<InvokeChannel, (req: unknown) => Envelope<unknown>>();
  const calls: Call[] = [];
  const traffic: TrafficEventDto[] = [];
  let endpointRouting: Pick<EventEndpointDto, 'routes' | 'endpoints' | 'routing' | 'fallbackEnabled'> = {
    routes: [{ name: 'twins', source: 'TwinChangeEvents', condition: 'true', endpoint: 'events', enabled: true, hits: 1 }],
    endpoints: [{ name: 'archive', kind: 'storageContainer', address: 'hot-archive', stats: { written: 3, failed: 0 } }],
    routing: { routes: [{ name: 'twins', source: 'TwinChangeEvents', condition: 'true', endpointNames: ['events'], isEnabled: true }] },
    fallbackEnabled: true,
  };
  const simulations = new Map<string, SimulationDto>();
  const jobs = new Map<string, JobDto>();
  const configurations = new Map<string, ConfigurationDto>();
  const simulation = (deviceId: string, profileName: string, runState: SimulationDto['runState']): SimulationDto => ({
    deviceId, profileName, runState, state: runState === 'running' ? 'running' : runState, since: '2026-01-01T00:00:00Z',
    counters: { connects: 1, reported: 0, telemetry: 0, desiredApplied: 0, desiredRejected: 0, methodsAnswered: 0, errors: 0 },
  });
  const enrollments = new Map<string, EnrollmentDto>();
  const registrations: RegistrationDto[] = [];
  const enrollment = (id: string, kind: EnrollmentDto['kind'], req: { deviceId?: string | null; provisioningStatus: 'enabled' | 'disabled'; tags?: JsonObject; desired?: JsonObject }): EnrollmentDto => ({
    id, kind, deviceId: req.deviceId ?? null, provisioningStatus: req.provisioningStatus, attestationType: 'symmetricKey',
    primaryKey: enrollments.get(`${kind}:${id}`)?.primaryKey ?? `key-of-${id}`, secondaryKey: 'c2Vjb25kYXJ5', tags: req.tags ?? {}, desired: req.desired ?? {}, etag: '"1"', lastUpdatedDateTimeUtc: '2026-01-01T00:00:00Z',
  });
  const emit = <P extends PushChannel>(channel: P, payload: Pushes[P]) => listeners.get(channel)?.forEach((listener) => listener(payload));
  const get = (deviceId: string) => devices.get(deviceId);
  const details = (device: FakeDevice): DeviceDetails => ({
    ...device.summary, generationId: '1', deviceEtag: 'MQ==', statusUpdatedTime: '0001-01-01T00:00:00Z',
    connectionString: `HostName=localhost;DeviceId=${device.summary.deviceId};SharedAccessKey=a2V5`, caCertPath: '/data/certs/ca.pem', hostName: 'localhost', mqttsPort: 8883,
  });
  const addDevice: FakeApi['addDevice'] = (deviceId, twin = {}) => {
    devices.set(deviceId, {
      summary: { deviceId, status: 'enabled', statusReason: null, connectionState: 'Disconnected', lastActivityTime: '0001-01-01T00:00:00Z', authenticationType: 'sas', twinVersion: 1, simulated: false, connectedVia: null },
      tags: twin.tags ?? {}, desired: twin.desired ?? {}, reported: twin.reported ?? {}, version: 1, desiredVersion: 1, reportedVersion: 1,
    });
  };
  const changed = (device: FakeDevice, sections: ('tags' | 'desired' | 'reported')[]) => {
    device.version += 1;
    device.summary = { ...device.summary, twinVersion: device.version };
    emit('twin.changed', { deviceId: device.summary.deviceId, sections, version: device.version });
  };

  const modules = createFakeModules((deviceId) => devices.has(deviceId), emit, fail);
  let faults: FaultsStatusDto = { active: [], hubDown: false, sdkProperties: false };
  let faultId = 0;
  const handlers: { [K in InvokeChannel]: Handler<K> } = {
    'emulator.status': () => ({ ok: true, value: STATUS }),
    'emulator.reset': () => { const deleted = devices.size; devices.clear(); return { ok: true, value: { deleted } }; },
    'emulator.export': () => ({ ok: true, value: { format: 'twin-studio-hub', version: 1, exportedAt: '2026-01-01T00:00:00Z', devices: [...devices.values()].map((d) => ({ deviceId: d.summary.deviceId, status: d.summary.status, authentication: { type: 'sas' }, tags: d.tags, desired: d.desired })) } }),
    'emulator.import': ({ data }) => { data.devices.forEach((d) => addDevice(d.deviceId, d)); return { ok: true, value: { created: data.devices.length, updated: 0, failed: [] } }; },
    'emulator.tierUsage': () => ({ ok: true, value: null }),
    'emulator.cluster': () => ({ ok: true, value: null }),
    'settings.get': () => ({ ok: true, value: { settings: { ports: { mqtts: 8883, https: 443, mqtt: null, amqps: 5671 }, dataDir: '/data', persistence: 'file' }, settingsFile: null } }),
    'settings.update': ({ settings }) => ({ ok: true, value: { settings, settingsFile: null } }),
    'devices.list': () => ({ ok: true, value: [...devices.values()].map((d) => d.summary) }),
    'devices.get': ({ deviceId }) => { const d = get(deviceId); return d ? { ok: true, value: details(d) } : fail('DeviceNotFound', `Device ${deviceId} not found`, 404); },
    'devices.create': ({ deviceId }) => {
      if (devices.has(deviceId)) return fail('DeviceAlreadyExists', `Device ${deviceId} already exists`, 409);
      addDevice(deviceId);
      const device = devices.get(deviceId) as FakeDevice;
      emit('devices.changed', { deviceId, reason: 'created', device: device.summary });
      return { ok: true, value: details(device) };
    },
    'devices.createWithCertificate': ({ deviceId, mode }) => {
      if (devices.has(deviceId)) return fail('DeviceAlreadyExists', `Device ${deviceId} already exists`, 409);
      addDevice(deviceId);
      const device = devices.get(deviceId) as FakeDevice;
      device.summary = { ...device.summary, authenticationType: mode === 'caSigned' ? 'certificateAuthority' : 'selfSigned' };
      emit('devices.changed', { deviceId, reason: 'created', device: device.summary });
      const pem = (label: string) => `-----BEGIN ${label}-----\nFAKE-${deviceId}\n-----END ${label}-----\n`;
      return {
        ok: true,
        value: {
          device: { ...details(device), connectionString: '' },
          mode,
          connectionString: `HostName=localhost;DeviceId=${deviceId};x509=true`,
          certPem: pem('CERTIFICATE'),
          keyPem: pem('PRIVATE KEY'),
          certPath: `/data/certs/devices/${deviceId}.pem`,
          keyPath: `/data/certs/devices/${deviceId}-key.pem`,
          thumbprint: 'AB'.repeat(20),
        },
      };
    },
    'devices.setStatus': ({ deviceId, status }) => { const d = get(deviceId); if (!d) return fail('DeviceNotFound', 'not found', 404); d.summary = { ...d.summary, status }; return { ok: true, value: d.summary }; },
    'modules.list': (req) => modules.list(req),
    'modules.get': (req) => modules.get(req),
    'modules.create': (req) => modules.create(req),
    'modules.delete': (req) => modules.remove(req),
    'devices.delete': ({ deviceId }) => { devices.delete(deviceId); modules.forgetDevice(deviceId); emit('devices.changed', { deviceId, reason: 'deleted' }); return { ok: true, value: { deviceId } }; },
    'twin.get': ({ deviceId, moduleId }) => { if (moduleId !== undefined) return modules.twin(deviceId, moduleId); const d = get(deviceId); return d ? { ok: true, value: twinOf(d) } : fail('DeviceNotFound', 'not found', 404); },
    'twin.update': (req) => {
      const { deviceId, moduleId, patch, etag } = req;
      if (moduleId !== undefined) return modules.update({ ...req, moduleId });
      const d = get(deviceId);
      if (!d) return fail('DeviceNotFound', 'not found', 404);
      if (etag !== '*' && etag !== `etag-${d.version}`) return fail('PreconditionFailed', 'Precondition failed: the etag does not match the current version.', 412);
      changed(d, applyFakeTwinPatch(d, patch));
      return { ok: true, value: twinOf(d) };
    },
    'twin.replace': ({ deviceId, tags, desired }) => { const d = get(deviceId); if (!d) return fail('DeviceNotFound', 'not found', 404); d.tags = tags; d.desired = desired; d.desiredVersion += 1; changed(d, ['tags', 'desired']); return { ok: true, value: twinOf(d) }; },
    'twin.history': ({ deviceId }) => { const d = get(deviceId); return d ? { ok: true, value: { deviceId, version: d.version, entries: [] } } : fail('DeviceNotFound', 'not found', 404); },
    'twin.atVersion': ({ deviceId }) => (get(deviceId) ? { ok: true, value: { deviceId, twin: null } } : fail('DeviceNotFound', 'not found', 404)),
    'query.run': ({ query, pageSize, continuation }) => {
      try {
        const page = compileQuery(query).run([...devices.values()].map(twinOf), { ...(pageSize ? { pageSize } : {}), ...(continuation ? { continuation } : {}) });
        return { ok: true, value: { items: page.items, itemType: page.itemType, ...(page.continuation ? { continuation: page.continuation } : {}) } };
      } catch (error) {
        if (error instanceof QueryError) return { ok: false, error: { code: 'QueryError', message: error.message, httpStatus: 400, details: { position: error.position, length: error.length } } };
        throw error;
      }
    },
    'methods.invoke': ({ methodName }) => ({ ok: true, value: { status: 200, payload: { method: methodName } } }),
    'c2d.send': () => ({ ok: true, value: { messageId: 'msg-1' } }),
    'traffic.snapshot': () => ({ ok: true, value: [...traffic] }),
    'traffic.endpoint': () => ({
      ok: true,
      value: {
        name: 'localhost',
        connectionString: 'Endpoint=sb://localhost/;SharedAccessKeyName=iothubowner;SharedAccessKey=a2V5;EntityPath=localhost',
        partitions: ['0', '1', '2', '3'].map((id) => ({ id, beginSequenceNumber: 0, lastSequenceNumber: id === '2' ? 1 : -1, lastEnqueuedTime: id === '2' ? '2026-01-01T00:00:01.000Z' : null, count: id === '2' ? 2 : 0 })),
        ...endpointRouting,
        fallbackHits: 1,
        recent: ENDPOINT_EVENTS,
      },
    }),
    'traffic.setRouting': ({ routing }) => {
      const routes = Array.isArray(routing.routes) ? (routing.routes as JsonObject[]) : [];
      const missing = routes.find((route) => Array.isArray(route.endpointNames) && route.endpointNames[0] !== 'events');
      if (missing) return fail('ArgumentInvalid', `route '${String(missing.name)}': endpoint '${String((missing.endpointNames as string[])[0])}' does not exist`, 400);
      endpointRouting = {
        routes: routes.map((route) => ({ name: String(route.name), source: String(route.source), condition: String(route.condition ?? 'true'), endpoint: 'events', enabled: route.isEnabled !== false, hits: 0 })),
        endpoints: [],
        routing,
        fallbackEnabled: true,
      };
      return { ok: true, value: { name: 'localhost', connectionString: '', partitions: [], ...endpointRouting, fallbackHits: 0, recent: [] } };
    },
    'simulations.list': () => ({ ok: true, value: [...simulations.values()] }),
    'simulations.profiles': () => ({ ok: true, value: [{ name: 'thermostat', description: 'Reports temperature' }, { name: 'smart-plug', description: 'Switches on and off' }] }),
    'simulations.create': ({ deviceId, profile }) => {
      if (!devices.has(deviceId)) addDevice(deviceId);
      const device = devices.get(deviceId) as FakeDevice;
      device.summary = { ...device.summary, simulated: true };
      const created = simulation(deviceId, profile, 'running');
      simulations.set(deviceId, created);
      emit('devices.changed', { deviceId, reason: 'created', device: device.summary });
      return { ok: true, value: created };
    },
    'simulations.setRunState': ({ deviceId, runState }) => {
      const current = simulations.get(deviceId);
      if (!current) return fail('NotFound', `no simulation for ${deviceId}`);
      const next = simulation(deviceId, current.profileName, runState);
      simulations.set(deviceId, next);
      return { ok: true, value: next };
    },
    'simulations.setApplyOnClick': ({ deviceId, on }) => {
      const current = simulations.get(deviceId);
      if (!current) return fail('NotFound', `no simulation for ${deviceId}`);
      const { applyOnClick: _dropped, ...rest } = current;
      const next: SimulationDto = on ? { ...rest, applyOnClick: { held: current.applyOnClick?.held ?? [] } } : rest;
      simulations.set(deviceId, next);
      return { ok: true, value: next };
    },
    'simulations.applyDesired': ({ deviceId }) => {
      const current = simulations.get(deviceId);
      if (!current) return fail('NotFound', `no simulation for ${deviceId}`);
      const applied = current.applyOnClick?.held.length ?? 0;
      const next: SimulationDto = { ...current, counters: { ...current.counters, desiredApplied: current.counters.desiredApplied + applied }, ...(current.applyOnClick ? { applyOnClick: { held: [] } } : {}) };
      simulations.set(deviceId, next);
      return { ok: true, value: next };
    },
    'simulations.remove': ({ deviceId }) => { simulations.delete(deviceId); return { ok: true, value: { deviceId } }; },
    'provisioning.overview': () => ({
      ok: true,
      value: {
        idScope: '0ne0000ABCD', hostName: 'localhost', serviceConnectionString: 'HostName=localhost;SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=ZHBz',
        enrollments: [...enrollments.values()].filter((e) => e.kind === 'individual'), groups: [...enrollments.values()].filter((e) => e.kind === 'group'), registrations: [...registrations],
      },
    }),
    'provisioning.putEnrollment': (req) => { const value = enrollment(req.registrationId, 'individual', req); enrollments.set(`individual:${value.id}`, value); return { ok: true, value }; },
    'provisioning.putGroup': (req) => { const value = enrollment(req.enrollmentGroupId, 'group', req); enrollments.set(`group:${value.id}`, value); return { ok: true, value }; },
    'provisioning.remove': ({ kind, id }) => {
      if (kind === 'registration') registrations.splice(0, registrations.length, ...registrations.filter((r) => r.registrationId !== id));
      else enrollments.delete(`${kind}:${id}`);
      return { ok: true, value: { id } };
    },
    'provisioning.deriveKey': ({ groupKey, registrationId }) => ({ ok: true, value: { key: `derived(${groupKey},${registrationId})` } }),
    'jobs.list': () => ({ ok: true, value: [...jobs.values()] }),
    'jobs.schedule': ({ jobId, job }) => {
      if (jobs.has(jobId)) return fail('JobAlreadyExists', `A job with id '${jobId}' already exists.`, 409);
      const type = job.type === 'scheduleDeviceMethod' ? 'scheduleDeviceMethod' : 'scheduleUpdateTwin';
      const created: JobDto = {
        jobId, type, status: 'queued', queryCondition: String(job.queryCondition ?? ''), createdTime: '2026-01-01T00:00:00Z', startTime: '2026-01-01T00:00:00Z',
        maxExecutionTimeInSeconds: 3600, updateTwin: type === 'scheduleUpdateTwin' ? (job.updateTwin as JsonObject) : null,
        cloudToDeviceMethod: type === 'scheduleDeviceMethod' ? (job.cloudToDeviceMethod as JsonObject) : null, failureReason: null, statusMessage: null,
        deviceJobStatistics: { deviceCount: 0, failedCount: 0, succeededCount: 0, runningCount: 0, pendingCount: 0 },
      };
      jobs.set(jobId, created);
      return { ok: true, value: created };
    },
    'jobs.cancel': ({ jobId }) => {
      const job = jobs.get(jobId);
      if (!job) return fail('JobNotFound', `The job '${jobId}' does not exist.`, 404);
      const cancelled: JobDto = { ...job, status: 'cancelled' };
      jobs.set(jobId, cancelled);
      return { ok: true, value: cancelled };
    },
    'configurations.list': () => ({ ok: true, value: [...configurations.values()] }),
    'configurations.put': ({ id, configuration, etag }) => {
      const existing = configurations.get(id);
      if (existing && etag === undefined) return fail('ConfigurationAlreadyExists', `A configuration with id '${id}' already exists.`, 409);
      const version = existing ? Number(atob(existing.etag)) + 1 : 1;
      const put: ConfigurationDto = {
        id, schemaVersion: '1.0', labels: {}, content: (configuration.content as JsonObject | undefined) ?? {}, targetCondition: String(configuration.targetCondition ?? ''),
        priority: Number(configuration.priority ?? 0), createdTimeUtc: '2026-01-01T00:00:00Z', lastUpdatedTimeUtc: '2026-01-01T00:00:00Z',
        systemMetrics: { results: { targetedCount: 0, appliedCount: 0 }, queries: {} }, metrics: { results: {}, queries: {} }, etag: btoa(String(version)),
      };
      configurations.set(id, put);
      return { ok: true, value: put };
    },
    'configurations.delete': ({ id }) => { configurations.delete(id); return { ok: true, value: { id } }; },
    'pnp.digitalTwin': ({ deviceId }) => {
      const d = get(deviceId);
      if (!d) return fail('DeviceNotFound', `Device ${deviceId} not registered`, 404);
      const metadata: JsonObject = {};
      for (const name of new Set([...Object.keys(d.desired), ...Object.keys(d.reported)])) {
        metadata[name] = { ...(name in d.desired ? { desiredValue: d.desired[name] ?? null, desiredVersion: d.desiredVersion } : {}) };
      }
      return { ok: true, value: { twin: { $dtId: deviceId, ...structuredClone(d.reported), $metadata: metadata }, etag: `etag-${d.version}` } };
    },
    'pnp.invokeCommand': ({ component, commandName }) => ({ ok: true, value: { status: 200, payload: { method: component ? `${component}*${commandName}` : commandName } } }),
    // Teaching channels (issue 18): nothing saved, nothing held; component tests override what they need.
    'snapshots.list': () => ({ ok: true, value: [] }),
    'snapshots.save': ({ name }) => ({ ok: true, value: { name, takenAt: '2026-01-01T00:00:00.000Z', devices: devices.size } }),
    'snapshots.restore': () => fail('SnapshotNotFound', 'There is no hub snapshot of that name.', 404),
    'snapshots.remove': () => ({ ok: true, value: { removed: false } }),
    'stepper.state': () => ({ ok: true, value: { enabled: false, deviceIds: null, held: [] } }),
    'stepper.configure': ({ enabled, deviceIds }) => ({ ok: true, value: { enabled, deviceIds, held: [] } }),
    'stepper.release': () => ({ ok: true, value: { enabled: false, deviceIds: null, held: [] } }),
    'stepper.releaseAll': () => ({ ok: true, value: { enabled: false, deviceIds: null, held: [] } }),
    'faults.status': () => ({ ok: true, value: faults }),
    'faults.inject': ({ spec }) => {
      if (spec.fault === 'hubDown') faults = { ...faults, hubDown: true };
      else if (spec.fault === 'hubUp') faults = { ...faults, hubDown: false };
      else if (spec.fault === 'latency' || spec.fault === 'lossQos0' || spec.fault === 'refuseConnections' || spec.fault === 'methodTimeout') {
        faultId += 1;
        faults = { ...faults, active: [...faults.active, { id: faultId, mode: spec.fault, deviceId: spec.device ?? null, remainingMs: spec.durationMs ?? null }] };
      }
      return { ok: true, value: faults };
    },
    'faults.clear': ({ deviceId }) => {
      faults = { ...faults, active: deviceId === undefined ? [] : faults.active.filter((fault) => fault.deviceId !== deviceId), hubDown: deviceId === undefined ? false : faults.hubDown };
      return { ok: true, value: faults };
    },
    'faults.setSdkProperties': ({ enabled }) => {
      faults = { ...faults, sdkProperties: enabled };
      return { ok: true, value: faults };
    },
  };

  const invoke = (channel: InvokeChannel, req: unknown): Promise<Envelope<unknown>> => {
    calls.push({ channel, req: structuredClone(req) });
    const handler = overrides.get(channel) ?? (handlers[channel] as (req: unknown) => Envelope<unknown>);
    return Promise.resolve(handler(req));
  };
  const namespaces: Record<string, Record<string, (req: unknown) => Promise<Envelope<unknown>>>> = {};
  for (const channel of Object.keys(handlers) as InvokeChannel[]) {
    const [namespace = '', method = ''] = channel.split('.');
    (namespaces[namespace] ??= {})[method] = (req) => invoke(channel, req);
  }
  const fake = {
    ...namespaces,
    calls,
    status: STATUS,
    on: (channel: PushChannel, listener: (payload: unknown) => void) => {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return () => void set.delete(listener);
    },
    ready: () => undefined,
    emit,
    fakeModules: modules,
    addDevice,
    addRegistration: (registration: RegistrationDto) => registrations.push(registration),
    report: (deviceId: string, patch: JsonObject) => {
      const d = devices.get(deviceId);
      if (!d) throw new Error(`no device ${deviceId}`);
      d.reported = applyMergePatch(d.reported, patch);
      d.reportedVersion += 1;
      changed(d, ['reported']);
    },
    override: (channel: InvokeChannel, handler: (req: never) => Envelope<unknown>) => overrides.set(channel, handler as (req: unknown) => Envelope<unknown>),
    original: (channel: InvokeChannel) => handlers[channel],
  };
  // Built from the handler table's keys, which the mapped type above forces to be exactly the channel list.
  return fake as unknown as FakeApi;
}
