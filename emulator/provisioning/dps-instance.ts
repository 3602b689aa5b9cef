import { randomBytes } from 'node:crypto';

import { generateSymmetricKey } from '../auth/key.js';
import type { DpsInstance, DpsRight } from '../model/provisioning.js';
import type { HubData } from '../services/hub-data.js';

/** The policy name of the DPS service connection string (iothub-protocol-2.md §2.9). */
export const DPS_OWNER_POLICY = 'provisioningserviceowner';

/** Every DPS right: the owner policy holds them all. */
export const DPS_OWNER_RIGHTS: readonly DpsRight[] = ['ServiceConfig', 'EnrollmentRead', 'EnrollmentWrite', 'RegistrationStatusRead', 'RegistrationStatusWrite'];

/** The hub's provisioning service instance, minted (id scope `0ne` + 8 hex digits, owner policy keys) once per data dir. */
export async function ensureDpsInstance(data: HubData): Promise<DpsInstance> {
  const existing = Object.values(data.committed.dpsInstances)[0];
  if (existing) return existing;
  const instance: DpsInstance = {
    idScope: `0ne${randomBytes(4).toString('hex').toUpperCase()}`,
    policies: { [DPS_OWNER_POLICY]: { keyName: DPS_OWNER_POLICY, primaryKey: generateSymmetricKey(), secondaryKey: generateSymmetricKey(), rights: [...DPS_OWNER_RIGHTS] } },
  };
  await data.write([{ kind: 'dpsInstanceSet', instance }], []);
  return instance;
}
