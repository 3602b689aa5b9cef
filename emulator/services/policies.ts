import { generateSymmetricKey } from '../auth/key.js';
import type { AccessPolicy, PolicyRight } from '../model/hub-state.js';
import type { HubData } from './hub-data.js';

/** The shared access policies of a new IoT Hub and their rights (iothub-protocol.md §2.3 step 5). */
export const DEFAULT_POLICIES: Readonly<Record<string, readonly PolicyRight[]>> = {
  iothubowner: ['RegistryRead', 'RegistryWrite', 'ServiceConnect', 'DeviceConnect'],
  service: ['ServiceConnect'],
  device: ['DeviceConnect'],
  registryRead: ['RegistryRead'],
  registryReadWrite: ['RegistryRead', 'RegistryWrite'],
};

/**
 * Adds any default policy the hub lacks, with fresh keys (first start), as one `policiesSet` change. Resolves when
 * durable; does nothing when no policy was missing.
 */
export async function ensureDefaultPolicies(data: HubData): Promise<void> {
  const policies: Record<string, AccessPolicy> = { ...data.latestPolicies() };
  let added = false;
  for (const [keyName, rights] of Object.entries(DEFAULT_POLICIES)) {
    if (Object.hasOwn(policies, keyName)) continue;
    policies[keyName] = { keyName, primaryKey: generateSymmetricKey(), secondaryKey: generateSymmetricKey(), rights: [...rights] };
    added = true;
  }
  if (added) await data.write([{ kind: 'policiesSet', policies }], [{ kind: 'policies', value: policies }]);
}
