import { exportHub, importHub, resetHub } from '../hub-transfer.js';
import type { NamespaceHandlers } from '../handler-types.js';

/** `emulator.*`: the hub's status and whole-hub operations. */
export const emulatorHandlers: NamespaceHandlers<'emulator'> = {
  'emulator.status': async (_req, { host }) => host.status(),

  'emulator.reset': async (_req, { host }) => ({ deleted: await resetHub(host.requireRunning()) }),

  'emulator.export': async ({ includeReported }, { host }) => exportHub(host.requireRunning(), includeReported ?? false, new Date()),

  'emulator.import': async ({ data, overwrite }, { host }) => importHub(host.requireRunning(), data, overwrite),

  'emulator.tierUsage': async (_req, { host }) => host.requireRunning().tierUsage() ?? null,

  'emulator.cluster': async (_req, { host }) => {
    const hub = host.requireRunning();
    const nodeId = hub.config.cluster?.nodeId;
    if (nodeId === undefined) return null;
    const nodes = (await hub.clusterStatus()).map(({ endpoint: _line, addresses, ports, ...node }) => ({
      ...node, addresses: [...addresses], ports: { ...ports }, self: node.nodeId === nodeId,
    }));
    return { nodeId, nodes };
  },
};
