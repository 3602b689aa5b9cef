import { randomInt } from 'node:crypto';

import { generateSymmetricKey, isValidBase64Key } from '../auth/key.js';
import { argumentInvalid } from '../errors/catalogue.js';
import type { AuthenticationType, DeviceAuthentication } from '../model/device.js';

/** The authentication block a caller may send for a device or module identity. */
export interface AuthenticationInput {
  readonly type?: AuthenticationType;
  readonly symmetricKey?: { readonly primaryKey?: string | null; readonly secondaryKey?: string | null };
  readonly x509Thumbprint?: { readonly primaryThumbprint?: string | null; readonly secondaryThumbprint?: string | null };
}

/**
 * The stored authentication of a device or module after a create (no `current`) or update: missing or empty keys
 * are generated or kept (iothub-protocol.md §8.3, checklist 65); invalid keys are refused with 400.
 */
export function buildAuthentication(input: AuthenticationInput | undefined, current: DeviceAuthentication | undefined): DeviceAuthentication {
  const type = input?.type ?? current?.type ?? 'sas';
  const primary = pickKey(input?.symmetricKey?.primaryKey, current?.symmetricKey.primaryKey, 'primaryKey');
  const secondary = pickKey(input?.symmetricKey?.secondaryKey, current?.symmetricKey.secondaryKey, 'secondaryKey');
  return {
    type,
    symmetricKey: type === 'sas' ? { primaryKey: primary, secondaryKey: secondary } : { primaryKey: '', secondaryKey: '' },
    x509Thumbprint: {
      primaryThumbprint: input?.x509Thumbprint?.primaryThumbprint ?? current?.x509Thumbprint.primaryThumbprint ?? null,
      secondaryThumbprint: input?.x509Thumbprint?.secondaryThumbprint ?? current?.x509Thumbprint.secondaryThumbprint ?? null,
    },
  };
}

function pickKey(wanted: string | null | undefined, current: string | undefined, name: string): string {
  if (wanted === undefined || wanted === null || wanted === '') return current || generateSymmetricKey();
  if (!isValidBase64Key(wanted)) throw argumentInvalid(`The ${name} is not a valid base64 key of 16 to 64 bytes.`);
  return wanted;
}

/**
 * Changes whenever an id is deleted and re-created (§8.3). .NET ticks (100 ns since year 1) like the hub's
 * 18 digits; the sub-millisecond digits are random so two creations in the same millisecond differ.
 */
export function generationId(now: Date): string {
  return (BigInt(now.getTime()) * 10000n + 621355968000000000n + BigInt(randomInt(0, 10000))).toString();
}
