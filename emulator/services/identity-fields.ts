import { randomInt } from 'node:crypto';

import { generateSymmetricKey, isValidBase64Key } from '../auth/key.js';
import { isThumbprint } from '../auth/x509-credential.js';
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
  const x509Thumbprint = pickThumbprints(input, current);
  if (type === 'selfSigned' && x509Thumbprint.primaryThumbprint === null && x509Thumbprint.secondaryThumbprint === null) {
    throw argumentInvalid('A selfSigned identity needs x509Thumbprint.primaryThumbprint (or secondaryThumbprint): the SHA-1 or SHA-256 thumbprint of its certificate.');
  }
  return {
    type,
    symmetricKey: type === 'sas' ? { primaryKey: primary, secondaryKey: secondary } : { primaryKey: '', secondaryKey: '' },
    x509Thumbprint,
  };
}

/**
 * Thumbprints: an update that sends an `x509Thumbprint` block replaces both (null clears one: the second step of a
 * certificate rollover), one without it keeps them. Each must be 40 (SHA-1) or 64 (SHA-256) hex digits, `:` and
 * spaces allowed (iothub-protocol-2.md §1.2).
 */
function pickThumbprints(input: AuthenticationInput | undefined, current: DeviceAuthentication | undefined): DeviceAuthentication['x509Thumbprint'] {
  const given = input?.x509Thumbprint;
  const pick = (name: 'primaryThumbprint' | 'secondaryThumbprint'): string | null => {
    const value = given ? given[name] : current?.x509Thumbprint[name];
    if (value === undefined || value === null || value === '') return given && given[name] === undefined ? (current?.x509Thumbprint[name] ?? null) : null;
    if (!isThumbprint(value)) throw argumentInvalid(`The ${name} '${value.slice(0, 80)}' is not a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint.`);
    return value;
  };
  return { primaryThumbprint: pick('primaryThumbprint'), secondaryThumbprint: pick('secondaryThumbprint') };
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
