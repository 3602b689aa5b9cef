import type { JsonObject } from '../../emulator/model/json.js';
import type { Envelope, Invokes, ModuleDetails, ModuleSummary, Pushes, TwinDocument } from '../../main/contract/index.js';
import { applyMergePatch } from '../features/twin-editor/json-ops.js';
import { applyFakeTwinPatch, emptyFakeTwin, twinSections, type FakeTwin } from './fake-twin.js';

interface FakeModule extends FakeTwin {
  summary: ModuleSummary;
}

type Emit = <P extends 'twin.changed' | 'modules.changed'>(channel: P, payload: Pushes[P]) => void;
type Fail = (code: string, message: string, httpStatus?: number) => Envelope<never>;

/** Module identities and module twins of the fake API (fake-client.ts), with the hub's versions and etags. */
export interface FakeModules {
  list(req: Invokes['modules.list']['req']): Envelope<ModuleSummary[]>;
  get(req: Invokes['modules.get']['req']): Envelope<ModuleDetails>;
  create(req: Invokes['modules.create']['req']): Envelope<Invokes['modules.create']['res']>;
  remove(req: Invokes['modules.delete']['req']): Envelope<Invokes['modules.delete']['res']>;
  twin(deviceId: string, moduleId: string): Envelope<TwinDocument>;
  update(req: Invokes['twin.update']['req'] & { moduleId: string }): Envelope<TwinDocument>;
  /** Changes a module's reported properties as the module would. */
  report(deviceId: string, moduleId: string, patch: JsonObject): void;
  /** Forgets a deleted device's modules. */
  forgetDevice(deviceId: string): void;
}

function twinOf(module: FakeModule): TwinDocument {
  return {
    deviceId: module.summary.deviceId,
    moduleId: module.summary.moduleId,
    etag: `module-etag-${module.version}`,
    version: module.version,
    ...twinSections(module),
  };
}

/** Creates the module half of the fake; `hasDevice` answers whether a device is registered. */
export function createFakeModules(hasDevice: (deviceId: string) => boolean, emit: Emit, fail: Fail): FakeModules {
  const modules = new Map<string, FakeModule>();
  const key = (deviceId: string, moduleId: string) => `${deviceId}/${moduleId}`;
  const find = (deviceId: string, moduleId: string): FakeModule | Envelope<never> => {
    if (!hasDevice(deviceId)) return fail('DeviceNotFound', `Device ${deviceId} not found`, 404);
    return modules.get(key(deviceId, moduleId)) ?? fail('ModuleNotFound', `Module ${moduleId} on device ${deviceId} not found`, 404);
  };
  const details = (summary: ModuleSummary): ModuleDetails => ({
    ...summary, generationId: '1', connectionString: `HostName=localhost;DeviceId=${summary.deviceId};ModuleId=${summary.moduleId};SharedAccessKey=a2V5`,
  });
  const changed = (module: FakeModule, sections: ('tags' | 'desired' | 'reported')[]) => {
    module.version += 1;
    module.summary = { ...module.summary, twinVersion: module.version };
    emit('twin.changed', { deviceId: module.summary.deviceId, moduleId: module.summary.moduleId, sections, version: module.version });
  };
  return {
    list: ({ deviceId }) => {
      if (!hasDevice(deviceId)) return fail('DeviceNotFound', `Device ${deviceId} not found`, 404);
      return { ok: true, value: [...modules.values()].filter((m) => m.summary.deviceId === deviceId).map((m) => m.summary) };
    },
    get: ({ deviceId, moduleId }) => {
      const found = find(deviceId, moduleId);
      return 'ok' in found ? found : { ok: true, value: details(found.summary) };
    },
    create: ({ deviceId, moduleId, managedBy }) => {
      if (!hasDevice(deviceId)) return fail('DeviceNotFound', `Device ${deviceId} not found`, 404);
      if (modules.has(key(deviceId, moduleId))) return fail('ModuleAlreadyExistsOnDevice', `Module ${moduleId} already exists on device ${deviceId}`, 409);
      const summary: ModuleSummary = { deviceId, moduleId, managedBy: managedBy ?? null, connectionState: 'Disconnected', lastActivityTime: '0001-01-01T00:00:00Z', authenticationType: 'sas', twinVersion: 1 };
      modules.set(key(deviceId, moduleId), { summary, ...emptyFakeTwin() });
      emit('modules.changed', { deviceId, moduleId, reason: 'created' });
      return { ok: true, value: details(summary) };
    },
    remove: ({ deviceId, moduleId }) => {
      const found = find(deviceId, moduleId);
      if ('ok' in found) return found;
      modules.delete(key(deviceId, moduleId));
      emit('modules.changed', { deviceId, moduleId, reason: 'deleted' });
      return { ok: true, value: { deviceId, moduleId } };
    },
    twin: (deviceId, moduleId) => {
      const found = find(deviceId, moduleId);
      return 'ok' in found ? found : { ok: true, value: twinOf(found) };
    },
    update: ({ deviceId, moduleId, patch, etag }) => {
      const found = find(deviceId, moduleId);
      if ('ok' in found) return found;
      if (etag !== '*' && etag !== `module-etag-${found.version}`) return fail('PreconditionFailed', 'Precondition failed: the etag does not match the current version.', 412);
      changed(found, applyFakeTwinPatch(found, patch));
      return { ok: true, value: twinOf(found) };
    },
    report: (deviceId, moduleId, patch) => {
      const found = modules.get(key(deviceId, moduleId));
      if (!found) throw new Error(`no module ${deviceId}/${moduleId}`);
      found.reported = applyMergePatch(found.reported, patch);
      found.reportedVersion += 1;
      changed(found, ['reported']);
    },
    forgetDevice: (deviceId) => {
      for (const [id, module] of modules) if (module.summary.deviceId === deviceId) modules.delete(id);
    },
  };
}
