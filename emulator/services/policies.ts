import { generateSymmetricKey } from '../auth/key.js';
import type { AccessPolicy, HubState, PolicyRight } from '../model/hub-state.js';

/** The shared access policies of a new IoT Hub and their rights (iothub-protocol.md §2.3 step 5). */
export const DEFAULT_POLICIES: Readonly<Record<string, readonly PolicyRight[]>> = {
  iothubowner: ['RegistryRead', 'RegistryWrite', 'ServiceConnect', 'DeviceConnect'],
  service: ['ServiceConnect'],
  device: ['DeviceConnect'],
  registryRead: ['RegistryRead'],
  registryReadWrite: ['RegistryRead', 'RegistryWrite'],
};

/**
 * Adds any default policy the state lacks, with fresh keys (first start). Returns an undo for the store's
 * rollback, or undefined when nothing was missing.
 */
export function ensureDefaultPolicies(state: HubState): (() => void) | undefined {
  const added: string[] = [];
  for (const [keyName, rights] of Object.entries(DEFAULT_POLICIES)) {
    if (state.policies[keyName]) continue;
    const policy: AccessPolicy = {
      keyName,
      primaryKey: generateSymmetricKey(),
      secondaryKey: generateSymmetricKey(),
      rights: [...rights],
    };
    state.policies[keyName] = policy;
    added.push(keyName);
  }
  if (added.length === 0) return undefined;
  return () => {
    for (const keyName of added) delete state.policies[keyName];
  };
}
