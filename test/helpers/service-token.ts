import { parseConnectionString } from '../../emulator/auth/connection-string.js';
import { createSasToken } from '../../emulator/auth/sas-token.js';

/** A service SAS token (`sr=<host>`, `skn=<policy>`) for the policy in a service connection string. */
export function serviceTokenFor(serviceConnectionString: string, hostName: string, lifetimeSeconds = 3600): string {
  const parts = parseConnectionString(serviceConnectionString);
  return createSasToken({
    resourceUri: hostName,
    base64Key: parts.SharedAccessKey ?? '',
    policyName: parts.SharedAccessKeyName ?? 'iothubowner',
    expiresAtSeconds: Math.floor(Date.now() / 1000) + lifetimeSeconds,
  });
}
