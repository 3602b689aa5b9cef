import type { TwinDocument } from '../../../main/contract/index.js';

/** Which twin: a device's, or one of its modules' (the hub's `TwinAddress`). */
export interface TwinRef {
  readonly deviceId: string;
  readonly moduleId?: string | undefined;
}

/** `deviceId` or `deviceId/moduleId`: unique, since device ids cannot contain `/` (iothub-protocol.md §10). */
export function twinKey(ref: TwinRef): string {
  return ref.moduleId === undefined ? ref.deviceId : `${ref.deviceId}/${ref.moduleId}`;
}

/** The address of a twin document (module twins carry `moduleId`). */
export function refOf(twin: TwinDocument): TwinRef {
  return typeof twin.moduleId === 'string' ? { deviceId: twin.deviceId, moduleId: twin.moduleId } : { deviceId: twin.deviceId };
}

/** The request fields that address a twin on the `twin.*` channels. */
export function addressFields(ref: TwinRef): { deviceId: string; moduleId?: string } {
  return ref.moduleId === undefined ? { deviceId: ref.deviceId } : { deviceId: ref.deviceId, moduleId: ref.moduleId };
}

/** A readable name: `dev-1` or `dev-1 / module m1`. */
export function twinLabel(ref: TwinRef): string {
  return ref.moduleId === undefined ? ref.deviceId : `${ref.deviceId} / module ${ref.moduleId}`;
}
