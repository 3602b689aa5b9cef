import { argumentInvalid, preconditionFailed } from '../errors/catalogue.js';
import type { IotHubError } from '../errors/iothub-error.js';

// Identity rules of the registry (iothub-protocol.md §10, checklist 72) and etag matching (§7.5).

const DEVICE_ID = /^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$/;
// IoT Hub's documentation allows `+` and `#` in module ids, but they are MQTT wildcards: a module `+` would subscribe
// to `devices/<d>/modules/+/#`, every sibling's topics (issue 11). The device SDKs cannot use them either (§10).
const MODULE_ID = /^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$/;

/** Returns an error when a device id breaks the registry's length or character rules. */
export function checkDeviceId(deviceId: string): IotHubError | undefined {
  if (DEVICE_ID.test(deviceId)) return undefined;
  return argumentInvalid(
    `The device id '${deviceId.slice(0, 140)}' is invalid: it must be 1-128 characters of ASCII letters, digits and - . % _ * ? ! ( ) , : = @ $ '.`,
  );
}

/** Returns an error when a module id breaks the registry's rules. */
export function checkModuleId(moduleId: string): IotHubError | undefined {
  if (MODULE_ID.test(moduleId)) return undefined;
  return argumentInvalid(
    `The module id '${moduleId.slice(0, 140)}' is invalid: it must be 1-128 characters of ASCII letters, digits and - . % _ * ? ! ( ) , : = @ $ ' (no MQTT wildcards + or #).`,
  );
}

/**
 * Checks an `If-Match` value against the current etag: absent or `*` / `"*"` always match; otherwise quotes and a
 * `W/` prefix are stripped before comparing (§7.5). Mismatch → 412 PreconditionFailed.
 */
export function checkIfMatch(ifMatch: string | undefined, currentEtag: string): IotHubError | undefined {
  if (ifMatch === undefined) return undefined;
  const wanted = normaliseEtag(ifMatch);
  if (wanted === '*' || wanted === currentEtag) return undefined;
  return preconditionFailed();
}

/** Strips `W/` and surrounding quotes from an etag header value. */
export function normaliseEtag(value: string): string {
  let text = value.trim();
  if (text.startsWith('W/')) text = text.slice(2);
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
  return text;
}
