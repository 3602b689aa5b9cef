import type { DeviceRecord } from '../model/device.js';
import type { AccessPolicy, HubState, ModuleRecord } from '../model/hub-state.js';
import type { TwinAddress } from '../model/twin-address.js';
import { getOwn } from '../util/own-keys.js';

// Reading records out of a HubState by id. Ids come from outside, so only own properties count (util/own-keys.ts):
// a device id `constructor` must not find Object.prototype's member.

/** The device record, or undefined. */
export function deviceOf(state: HubState, deviceId: string): DeviceRecord | undefined {
  return getOwn(state.devices, deviceId);
}

/** The module record of a device, or undefined. */
export function moduleOf(state: HubState, deviceId: string, moduleId: string): ModuleRecord | undefined {
  const modules = getOwn(state.modules, deviceId);
  return modules && getOwn(modules, moduleId);
}

/** The record that owns the twin at an address: the device's, or the module's (only while its device exists). */
export function ownerOf(state: HubState, address: TwinAddress): DeviceRecord | ModuleRecord | undefined {
  const device = deviceOf(state, address.deviceId);
  if (address.moduleId === undefined || !device) return device;
  return moduleOf(state, address.deviceId, address.moduleId);
}

/** The shared access policy named `keyName`, or undefined. */
export function policyOf(state: HubState, keyName: string): AccessPolicy | undefined {
  return getOwn(state.policies, keyName);
}
