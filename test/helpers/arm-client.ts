import { readFile } from 'node:fs/promises';

import { IotHubClient } from '@azure/arm-iothub';

import type { HubEmulator } from '../../emulator/index.js';
import { policyToken } from './rest-client.js';

/** Any subscription id is accepted; this is the one the README suggests. */
export const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
/** Any resource group is accepted. */
export const RESOURCE_GROUP = 'twin-studio';

/**
 * The unmodified `@azure/arm-iothub` client as the README tells users to build it: the hub's HTTPS port as endpoint, a
 * TokenCredential whose bearer token is a shared access policy's SAS token, the hub's CA, no retries (a refusal must
 * surface at once).
 */
export async function armClient(hub: HubEmulator, policy = 'iothubowner'): Promise<IotHubClient> {
  const credential = {
    getToken: () => Promise.resolve({ token: policyToken(hub, policy), expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
  return new IotHubClient(credential, SUBSCRIPTION, {
    endpoint: `https://localhost:${hub.info.ports.https}`,
    tlsOptions: { ca: await readFile(hub.info.caCertPath, 'utf8') },
    retryOptions: { maxRetries: 0 },
  });
}
