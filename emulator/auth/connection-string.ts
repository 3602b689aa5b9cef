/** Input of {@link formatDeviceConnectionString}. */
export interface DeviceConnectionStringParts {
  /** Hub host name the SDK puts in the MQTT username and the SAS `sr` (may carry `:port`). */
  hostName: string;
  deviceId: string;
  /** Set for a module identity; adds `ModuleId=`. */
  moduleId?: string;
  /** Base64 symmetric key of the device or module. */
  sharedAccessKey: string;
  /** TCP/TLS target when it differs from `hostName`, e.g. `localhost:8884` (iothub-protocol.md §1). */
  gatewayHostName?: string;
}

/** Input of {@link formatServiceConnectionString}. */
export interface ServiceConnectionStringParts {
  hostName: string;
  /** Shared access policy name, e.g. `iothubowner`. */
  policyName: string;
  /** Base64 key of that policy. */
  sharedAccessKey: string;
}

/**
 * Splits `Key=Value;Key=Value` into a record. Only the first `=` separates, so base64 values ending in `=` and
 * `SharedAccessSignature=SharedAccessSignature sr=…&sig=…` survive. Keys are case-sensitive, as in the SDKs;
 * segments without `=` or with an empty key are skipped, and a repeated key keeps the last value (as `azure-iot-common`
 * does). Surrounding whitespace of the whole string and of each key is ignored. iothub-protocol.md §2.1.
 */
export function parseConnectionString(text: string): Record<string, string> {
  // Null prototype: a key such as `__proto__` or `constructor` is just data here.
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const segment of text.trim().split(';')) {
    const eq = segment.indexOf('=');
    if (eq < 0) continue;
    const key = segment.slice(0, eq).trim();
    if (key === '') continue;
    result[key] = segment.slice(eq + 1);
  }
  return result;
}

/**
 * `HostName=…;DeviceId=…[;ModuleId=…];SharedAccessKey=…[;GatewayHostName=…]`, the form the portal and IoT Explorer
 * show. Values are written as given: ids containing `;` (allowed by older hub rules) cannot be represented.
 */
export function formatDeviceConnectionString(parts: DeviceConnectionStringParts): string {
  const fields: Array<[string, string]> = [
    ['HostName', parts.hostName],
    ['DeviceId', parts.deviceId],
  ];
  if (parts.moduleId !== undefined && parts.moduleId !== '') fields.push(['ModuleId', parts.moduleId]);
  fields.push(['SharedAccessKey', parts.sharedAccessKey]);
  if (parts.gatewayHostName !== undefined && parts.gatewayHostName !== '') {
    fields.push(['GatewayHostName', parts.gatewayHostName]);
  }
  return join(fields);
}

/** `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…` (all three are required by the Node service SDK, §2.1). */
export function formatServiceConnectionString(parts: ServiceConnectionStringParts): string {
  return join([
    ['HostName', parts.hostName],
    ['SharedAccessKeyName', parts.policyName],
    ['SharedAccessKey', parts.sharedAccessKey],
  ]);
}

function join(fields: ReadonlyArray<readonly [string, string]>): string {
  return fields.map(([key, value]) => `${key}=${value}`).join(';');
}
