import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// House-style H25: the import zones are code, and each zone is proven to bite with one allowed and one forbidden
// import, linted through the project's own eslint.config.js.
const eslint = new ESLint({ cwd: process.cwd() });

async function errorsFor(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  // Root zones use ESLint's rule, layer zones typescript-eslint's copy (so they stack; see eslint.config.js).
  const rules = ['no-restricted-imports', '@typescript-eslint/no-restricted-imports'];
  return (result?.messages ?? []).filter((message) => message.fatal === true || rules.includes(message.ruleId ?? '')).map((message) => message.message);
}

describe('import zones (house-style H1-H4)', () => {
  it.each([
    ['emulator/services/x.ts', "import { Aedes } from 'aedes';\nexport const a = Aedes;", "import { app } from 'electron';\nexport const a = app;"],
    ['emulator/query/x.ts', "import { isJsonObject } from '../model/json.js';\nexport const a = isJsonObject;", "import { readFile } from 'node:fs/promises';\nexport const a = readFile;"],
    ['emulator/query/y.ts', "import { RingBuffer } from '../util/ring-buffer.js';\nexport const a = RingBuffer;", "import { TwinService } from '../services/twin-service.js';\nexport const a = TwinService;"],
    ['emulator/util/x.ts', "import { isJsonObject } from '../model/json.js';\nexport const a = isJsonObject;", "import { createHash } from 'crypto';\nexport const a = createHash;"],
    ['main/host/x.ts', "import { createEmulator } from '../../emulator/index.js';\nexport const a = createEmulator;", "import { TwinService } from '../../emulator/services/twin-service.js';\nexport const a = TwinService;"],
    ['renderer/features/x.ts', "import { checkQuery } from '../../emulator/query/index.js';\nexport const a = checkQuery;", "import { createEmulator } from '../../emulator/index.js';\nexport const a = createEmulator;"],
    ['renderer/features/y.ts', "import type { Invokes } from '../../main/contract/channels.js';\nexport type A = Invokes;", "import { readFileSync } from 'fs';\nexport const a = readFileSync;"],
    ['renderer/features/z.ts', "import { TWIN_LIMITS } from '../../emulator/rules/index.js';\nexport const a = TWIN_LIMITS;", "import { checkKey } from '../../emulator/twin/validate-patch.js';\nexport const a = checkKey;"],
    ['renderer/features/w.ts', "import type { JsonObject } from '../../emulator/model/json.js';\nexport type A = JsonObject;", "import { isJsonObject } from '../../emulator/model/json.js';\nexport const a = isJsonObject;"],
    ['emulator/rules/x.ts', "import { isJsonObject } from '../model/json.js';\nexport const a = isJsonObject;", "import { argumentInvalid } from '../errors/catalogue.js';\nexport const a = argumentInvalid;"],
    ['main/contract/x.ts', "import type { JsonObject } from '../../emulator/model/json.js';\nexport type A = JsonObject;", "import { readFile } from 'node:fs';\nexport const a = readFile;"],
    ['main/contract/y.ts', "import { z } from 'zod';\nexport const a = z;", "import { dispatch } from '../host/dispatch.js';\nexport const a = dispatch;"],
    ['main/preload/x.ts', "import { contextBridge } from 'electron';\nimport { buildApi } from '../contract/api.js';\nexport const a = [contextBridge, buildApi];", "import { dispatch } from '../host/dispatch.js';\nexport const a = dispatch;"],
    ['main/preload/y.ts', "import type { PushChannel } from '../contract/channels.js';\nexport type A = PushChannel;", "import { readFile } from 'node:fs';\nexport const a = readFile;"],
  ])('%s: allows the first import and forbids the second', async (filePath, allowed, forbidden) => {
    expect(await errorsFor(filePath, allowed)).toEqual([]);
    expect(await errorsFor(filePath, forbidden)).toHaveLength(1);
  });
});

// Layers inside the emulator (house-style H4/H5): transports → services → twin rules / state → store, and the hub's
// clients (simulation, load, CLI) through the front door.
describe('layer zones inside emulator/', () => {
  it.each([
    ['emulator/transports/mqtt/x.ts', "import type { HubState } from '../../model/hub-state.js';\nexport type A = HubState;", "import type { EmulatorStore } from '../../store/store.js';\nexport type A = EmulatorStore;"],
    ['emulator/transports/http/x.ts', "import { TwinService } from '../../services/twin-service.js';\nexport const a = TwinService;", "import { applyChange } from '../../state/apply-change.js';\nexport const a = applyChange;"],
    ['emulator/services/x.ts', "import type { EmulatorStore } from '../store/store.js';\nexport type A = EmulatorStore;", "import { MemoryStore } from '../store/memory-store.js';\nexport const a = MemoryStore;"],
    ['emulator/services/y.ts', "import { type EmulatorStore } from '../store/store.js';\nexport type A = EmulatorStore;", "import { EmulatorStore } from '../store/store.js';\nexport const a = EmulatorStore;"],
    ['emulator/services/z.ts', "import { applyChange } from '../state/apply-change.js';\nexport const a = applyChange;", "import { parseTopic } from '../transports/mqtt/topics.js';\nexport const a = parseTopic;"],
    ['emulator/provisioning/x.ts', "import { RegistryService } from '../services/registry-service.js';\nexport const a = RegistryService;", "import { parseTopic } from '../transports/mqtt/topics.js';\nexport const a = parseTopic;"],
    ['emulator/provisioning/y.ts', "import type { EmulatorStore } from '../store/store.js';\nexport type A = EmulatorStore;", "import { MemoryStore } from '../store/memory-store.js';\nexport const a = MemoryStore;"],
    ['emulator/state/y.ts', "import { getOwn } from '../util/own-keys.js';\nexport const a = getOwn;", "import { EnrollmentService } from '../provisioning/enrollment-service.js';\nexport const a = EnrollmentService;"],
    ['emulator/twin/x.ts', "import { isJsonObject } from '../model/json.js';\nexport const a = isJsonObject;", "import { TwinService } from '../services/twin-service.js';\nexport const a = TwinService;"],
    ['emulator/state/x.ts', "import { applyTwinWrite } from '../twin/twin-writes.js';\nexport const a = applyTwinWrite;", "import { parseTopic } from '../transports/mqtt/topics.js';\nexport const a = parseTopic;"],
    ['emulator/store/x.ts', "import type { HubChange } from '../model/changes.js';\nexport type A = HubChange;", "import { applyChange } from '../state/apply-change.js';\nexport const a = applyChange;"],
    ['emulator/store/y.ts', "import type { HubState } from '../model/hub-state.js';\nexport type A = HubState;", "import { applyTwinWrite } from '../twin/twin-writes.js';\nexport const a = applyTwinWrite;"],
    ['emulator/cluster/x.ts', "import { DevicePortRelay } from '../services/device-port.js';\nexport const a = DevicePortRelay;", "import { MqttDevicePort } from '../transports/mqtt/mqtt-device-port.js';\nexport const a = MqttDevicePort;"],
    ['emulator/cluster/y.ts', "import type { EmulatorStore } from '../store/store.js';\nexport type A = EmulatorStore;", "import { RedisStore } from '../store/redis-store.js';\nexport const a = RedisStore;"],
    ['emulator/faults/x.ts', "import type { DevicePort } from '../services/device-port.js';\nexport type A = DevicePort;", "import { MqttGateway } from '../transports/mqtt/mqtt-gateway.js';\nexport const a = MqttGateway;"],
    ['emulator/faults/y.ts', "import { unauthorized } from '../errors/catalogue.js';\nexport const a = unauthorized;", "import { TwinService } from '../services/twin-service.js';\nexport const a = TwinService;"],
    ['emulator/simulation/x.ts', "import { createSasToken } from '../client-kit.js';\nexport const a = createSasToken;", "import { createSasToken } from '../auth/sas-token.js';\nexport const a = createSasToken;"],
    ['emulator/simulation/y.ts', "import { checkTwinKey } from '../rules/hub-wording.js';\nexport const a = checkTwinKey;", "import { runLoad } from '../load/load-run.js';\nexport const a = runLoad;"],
    ['emulator/load/x.ts', "import { DeviceLink } from '../simulation/device-link.js';\nexport const a = DeviceLink;", "import type { HubEmulator } from '../emulator.js';\nexport type A = HubEmulator;"],
    ['emulator/cli/x.ts', "import { defaultDataDir } from '../index.js';\nexport const a = defaultDataDir;", "import { defaultDataDir } from '../config.js';\nexport const a = defaultDataDir;"],
    ['emulator/cli/y.ts', "import { runLoad } from '../load/load-run.js';\nexport const a = runLoad;", "import { checkDeviceId } from '../services/identity-rules.js';\nexport const a = checkDeviceId;"],
  ])('%s: allows the first import and forbids the second', async (filePath, allowed, forbidden) => {
    expect(await errorsFor(filePath, allowed)).toEqual([]);
    expect(await errorsFor(filePath, forbidden)).toHaveLength(1);
  });
});
