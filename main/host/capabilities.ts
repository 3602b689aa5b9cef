import type { HubEmulator, JsonObject, JsonValue } from '../../emulator/index.js';

// Features other issues are adding to the emulator's front door (direct methods and C2D: issue 3; simulated
// devices: issue 6; hub.query). The studio looks them up by shape so its panels light up when they land, and
// explain themselves until then, without deep imports into emulator/** (house-style H4).

/** `hub.methods`: direct-method invocation. */
export interface MethodsCapability {
  invoke(call: {
    deviceId: string;
    methodName: string;
    payload: JsonValue;
    responseTimeoutInSeconds: number;
    connectTimeoutInSeconds: number;
  }): Promise<{ status: number; payload: JsonValue }>;
}

/** `hub.c2d`: cloud-to-device queue. */
export interface C2dCapability {
  send(deviceId: string, input: { body: string; messageId?: string; properties?: Record<string, string> }): Promise<{ messageId: string }>;
}

/** `hub.query(text, options)`: the hub's own query endpoint. */
export type QueryCapability = (
  text: string,
  options: { pageSize?: number; continuation?: string },
) => Promise<{ items: JsonObject[]; continuation?: string; itemType: 'Twin' | 'Raw' }> | { items: JsonObject[]; continuation?: string; itemType: 'Twin' | 'Raw' };

/** `hub.simulation`: simulated devices. */
export interface SimulationCapability {
  isSimulated?(deviceId: string): boolean;
}

function member(hub: HubEmulator, name: string): unknown {
  try {
    // Getters throw while the hub is stopped; a stopped hub has no capabilities to offer.
    return Reflect.get(hub, name);
  } catch {
    return undefined;
  }
}

function hasMethod(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[name] === 'function';
}

/** The hub's direct-method service, when its front door has one. */
export function methodsOf(hub: HubEmulator): MethodsCapability | undefined {
  const value = member(hub, 'methods');
  return hasMethod(value, 'invoke') ? (value as MethodsCapability) : undefined;
}

/** The hub's C2D service, when its front door has one. */
export function c2dOf(hub: HubEmulator): C2dCapability | undefined {
  const value = member(hub, 'c2d');
  return hasMethod(value, 'send') ? (value as C2dCapability) : undefined;
}

/** The hub's query function, when its front door has one (the studio otherwise runs the std engine itself). */
export function queryOf(hub: HubEmulator): QueryCapability | undefined {
  const value = member(hub, 'query');
  return typeof value === 'function' ? (value.bind(hub) as QueryCapability) : undefined;
}

/** The simulator, when its front door has one. */
export function simulationOf(hub: HubEmulator): SimulationCapability | undefined {
  const value = member(hub, 'simulation');
  return typeof value === 'object' && value !== null ? (value as SimulationCapability) : undefined;
}
