/** A twin is addressed by its device and, for a module twin, the module (iothub-protocol.md §3.6). */
export interface TwinAddress {
  readonly deviceId: string;
  readonly moduleId?: string;
}

/** One string per twin, for maps: `d1` for a device twin, `d1/m1` for a module twin ('/' is not allowed in ids). */
export function twinKey(address: TwinAddress): string {
  return address.moduleId === undefined ? address.deviceId : `${address.deviceId}/${address.moduleId}`;
}

/** The address of a twin key made by `twinKey`. */
export function addressOfKey(key: string): TwinAddress {
  const slash = key.indexOf('/');
  return slash < 0 ? { deviceId: key } : { deviceId: key.slice(0, slash), moduleId: key.slice(slash + 1) };
}
